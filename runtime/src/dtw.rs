//! Dynamic time warping between two sequences of vectors: the cost of the
//! cheapest monotone alignment, each aligned pair costing its Euclidean
//! distance (the `squared_l2` kernel), in O(n·m) time and O(m) memory.

use crate::simd::kernels;
use crate::vector::VectorError;

/// DTW cost between `sequence` and `reference`, both packed vectors of
/// `dim` elements. `None` when either is empty.
pub fn dtw_distance(
    sequence: &[f32],
    reference: &[f32],
    dim: usize,
) -> Result<Option<f64>, VectorError> {
    if dim == 0 {
        return Ok(None);
    }
    for packed in [sequence, reference] {
        if packed.len() % dim != 0 {
            return Err(VectorError::Dimension {
                expected: dim,
                actual: packed.len() % dim,
            });
        }
    }
    let (n, m) = (sequence.len() / dim, reference.len() / dim);
    if n == 0 || m == 0 {
        return Ok(None);
    }
    let squared_l2 = kernels().squared_l2;
    let cost = |i: usize, j: usize| {
        squared_l2(
            &sequence[i * dim..(i + 1) * dim],
            &reference[j * dim..(j + 1) * dim],
        )
        .sqrt()
    };
    let mut previous = vec![f64::INFINITY; m];
    let mut current = vec![f64::INFINITY; m];
    for i in 0..n {
        for j in 0..m {
            let best = match (i, j) {
                (0, 0) => 0.0,
                (0, _) => current[j - 1],
                (_, 0) => previous[0],
                _ => previous[j].min(current[j - 1]).min(previous[j - 1]),
            };
            current[j] = best + cost(i, j);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Ok(Some(previous[m - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook full-matrix recurrence in f64.
    fn reference_dtw(a: &[f32], b: &[f32], dim: usize) -> f64 {
        let (n, m) = (a.len() / dim, b.len() / dim);
        let d = |i: usize, j: usize| {
            (0..dim)
                .map(|k| (a[i * dim + k] as f64 - b[j * dim + k] as f64).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let mut table = vec![vec![f64::INFINITY; m + 1]; n + 1];
        table[0][0] = 0.0;
        for i in 1..=n {
            for j in 1..=m {
                table[i][j] = d(i - 1, j - 1)
                    + table[i - 1][j]
                        .min(table[i][j - 1])
                        .min(table[i - 1][j - 1]);
            }
        }
        table[n][m]
    }

    #[test]
    fn known_alignments() {
        // A repeated element aligns at no cost.
        assert_eq!(
            dtw_distance(&[1.0, 2.0, 3.0], &[1.0, 2.0, 2.0, 3.0], 1),
            Ok(Some(0.0))
        );
        assert_eq!(dtw_distance(&[0.0, 0.0], &[3.0, 4.0], 2), Ok(Some(5.0)));
        assert_eq!(dtw_distance(&[], &[1.0], 1), Ok(None));
        assert!(dtw_distance(&[1.0, 2.0, 3.0], &[1.0, 2.0], 2).is_err());
    }

    proptest! {
        #[test]
        fn matches_the_full_table(
            dim in 1usize..5,
            n in 1usize..12,
            m in 1usize..12,
            values in prop::collection::vec(-10f32..10.0, 5 * 24),
        ) {
            let a = &values[..n * dim];
            let b = &values[n * dim..(n + m) * dim];
            let got = dtw_distance(a, b, dim).unwrap().unwrap();
            let expected = reference_dtw(a, b, dim);
            // Each cost is the square root of a `squared_l2` within
            // (dim + 6)·ε of the f64 sum (see simd), so the total is within
            // that relative bound too.
            let bound = (dim as f64 + 6.0) * f32::EPSILON as f64 * expected.max(1.0);
            prop_assert!((got - expected).abs() <= bound, "{got} vs {expected}");
            // Symmetric.
            let back = dtw_distance(b, a, dim).unwrap().unwrap();
            prop_assert!((got - back).abs() <= 2.0 * bound);
        }
    }
}
