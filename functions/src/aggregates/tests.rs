//! Every aggregate: a group split in two, each half accumulated (the second
//! half first) and merged, gives the whole group's result; a saved state
//! restores to the same state.

use super::*;
use proptest::prelude::*;
use runtime::aggregate::{SqlAggregate, restore_state, save_state};

/// Runs rows through a fresh state; `add` is the aggregate's accumulate.
fn fold<T: SqlAggregate, R>(rows: &[R], add: impl Fn(&mut T, &R)) -> T {
    let mut state = T::init();
    for r in rows {
        add(&mut state, r);
    }
    state
}

/// The whole group, and the two halves merged (second half first), each
/// half saved and restored on the way.
fn whole_and_split<T: SqlAggregate, R>(rows: &[R], split: usize, add: impl Fn(&mut T, &R)) -> (T, T)
where
    T::Error: std::fmt::Debug,
{
    let whole = fold(rows, &add);
    let split = split.min(rows.len());
    let first: T = fold(&rows[..split], &add);
    let second: T = fold(&rows[split..], &add);
    let first: T = restore_state(&save_state(&first)).unwrap();
    let mut merged: T = restore_state(&save_state(&second)).unwrap();
    merged.merge(first).unwrap();
    (whole, merged)
}

fn close(a: &[f32], b: &[f32], tolerance: f32) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tolerance * (1.0 + x.abs().max(y.abs())))
}

fn vectors(dim: usize, values: &[f32]) -> Vec<Vec<f32>> {
    values.chunks_exact(dim).map(<[f32]>::to_vec).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merge_of_split_groups_equals_the_whole(
        dim in 1usize..8,
        count in 1usize..24,
        split in 0usize..24,
        k in 1i32..5,
        values in prop::collection::vec(-20f32..20.0, 8 * 24 + 8 * 6),
    ) {
        let rows = vectors(dim, &values[..dim * count]);

        let (whole, merged) = whole_and_split::<VectorCentroid, _>(&rows, split, |s, r| s.accumulate(r).unwrap());
        prop_assert!(close(&whole.terminate().unwrap(), &merged.terminate().unwrap(), 1e-5));

        let (whole, merged) = whole_and_split::<VectorCovariance, _>(&rows, split, |s, r| s.accumulate(r).unwrap());
        prop_assert!(close(&whole.terminate().unwrap(), &merged.terminate().unwrap(), 1e-4));

        let (whole, merged) = whole_and_split::<VectorMeanVariance, _>(&rows, split, |s, r| s.accumulate(r).unwrap());
        let (w, m) = (whole.terminate().unwrap(), merged.terminate().unwrap());
        prop_assert!(w.starts_with(&format!("{{\"count\":{count},")), "{}", w);
        prop_assert_eq!(w.len(), m.len());

        // Kept-whole aggregates put the points in a canonical order: exact.
        let (whole, merged) = whole_and_split::<GeometricMedian, _>(&rows, split, |s, r| s.accumulate(r).unwrap());
        prop_assert_eq!(whole.terminate(), merged.terminate());
        let (whole, merged) = whole_and_split::<VectorKMeansCluster, _>(&rows, split, |s, r| s.accumulate(r, k).unwrap());
        prop_assert_eq!(whole.terminate(), merged.terminate());

        let geometries: Vec<runtime::geometry::Geometry> = rows
            .iter()
            .map(|v| {
                let points: Vec<runtime::geometry::geo_types::Point<f64>> = v
                    .chunks(2)
                    .map(|p| (f64::from(p[0]), f64::from(*p.get(1).unwrap_or(&0.0))).into())
                    .collect();
                runtime::geometry::Geometry::new(4326, runtime::geometry::geo_types::MultiPoint(points))
            })
            .collect();
        let (whole, merged) = whole_and_split::<SpatialConvexHull, _>(&geometries, split, |s, g| s.accumulate(g.clone()).unwrap());
        prop_assert_eq!(whole.terminate(), merged.terminate());

        let reference = &values[8 * 24..8 * 24 + dim * 3];
        let ordered: Vec<(i64, Vec<f32>)> = rows.iter().cloned().enumerate().map(|(i, v)| (i as i64 * 7 - 30, v)).collect();
        let (whole, merged) = whole_and_split::<DtwDistance, _>(&ordered, split, |s, (o, v)| s.accumulate(*o, v, reference).unwrap());
        let (w, m) = (whole.terminate().unwrap().unwrap(), merged.terminate().unwrap().unwrap());
        prop_assert_eq!(w, m);
        // In ordinal order, whatever order the rows came in.
        let packed: Vec<f32> = rows.concat();
        let direct = runtime::dtw::dtw_distance(&packed, reference, dim).unwrap().unwrap();
        prop_assert_eq!(w, direct);
    }
}

#[test]
fn rows_that_break_the_group_are_errors() {
    let mut k = VectorKMeansCluster::init();
    k.accumulate(&[1.0], 2).unwrap();
    assert!(
        k.accumulate(&[1.0], 3)
            .unwrap_err()
            .contains("@k changed from 2 to 3")
    );
    assert!(k.accumulate(&[1.0], 0).unwrap_err().contains("1 to 1000"));
    let mut other = VectorKMeansCluster::init();
    other.accumulate(&[2.0], 4).unwrap();
    assert!(k.merge(other).is_err());

    let mut d = DtwDistance::init();
    d.accumulate(1, &[1.0], &[1.0, 2.0]).unwrap();
    assert!(
        d.accumulate(2, &[1.0], &[1.0])
            .unwrap_err()
            .contains("@reference differs")
    );
    d.accumulate(1, &[3.0], &[1.0, 2.0]).unwrap();
    assert!(
        d.terminate()
            .unwrap_err()
            .contains("@ordinal 1 appears twice")
    );
    let mut odd = DtwDistance::init();
    odd.accumulate(1, &[1.0, 2.0], &[1.0, 2.0, 3.0]).unwrap();
    assert!(odd.terminate().unwrap_err().contains("not whole vectors"));
    assert_eq!(DtwDistance::init().terminate(), Ok(None));
    // Found by fuzzing: a row that fails (an empty vector) must not leave its
    // reference behind in a state with no vectors, which divided by zero.
    let mut failed = DtwDistance::init();
    assert!(failed.accumulate(1, &[], &[1.0]).is_err());
    assert_eq!(failed.terminate(), Ok(None));

    assert!(GeometricMedian::init().accumulate(&[]).is_err());
    let mut hull = SpatialConvexHull::init();
    assert_eq!(hull.terminate(), Ok(None));
    hull.accumulate(runtime::geometry::Geometry::new(
        0,
        runtime::geometry::geo_types::Point::new(1.0, 1.0),
    ))
    .unwrap();
    let other =
        runtime::geometry::Geometry::new(4326, runtime::geometry::geo_types::Point::new(1.0, 1.0));
    assert!(
        hull.accumulate(other)
            .unwrap_err()
            .contains("SRID 0 and 4326")
    );
    let mut c = VectorCovariance::init();
    c.accumulate(&[1.0, 2.0]).unwrap();
    assert!(c.accumulate(&[1.0]).is_err());
    assert_eq!(c.terminate(), Some(vec![0.0; 4]));
}
