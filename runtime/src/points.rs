//! Sets of vectors kept whole (packed f32, one dimension) and the
//! statistics that need every point at once: the geometric median
//! (Weiszfeld) and k-means. Both sort the points first, so their results do
//! not depend on the order the points arrived in or how partial sets were
//! merged.

use crate::aggregate::StateError;
use crate::simd::kernels;
use crate::vector::VectorError;

/// Vectors of one dimension, packed row after row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointSet {
    dim: usize,
    data: Vec<f32>,
    count: usize,
}

impl PointSet {
    pub fn new() -> PointSet {
        PointSet::default()
    }

    /// From a saved dimension and packed data.
    pub fn from_parts(dim: usize, data: Vec<f32>) -> Result<PointSet, StateError> {
        let count = match (dim, data.len()) {
            (0, 0) => 0,
            (0, n) => {
                return Err(StateError::new(format!("{n} values of dimension 0")));
            }
            (d, n) if n % d != 0 => {
                return Err(StateError::new(format!(
                    "{n} values are not whole points of dimension {d}"
                )));
            }
            (d, n) => n / d,
        };
        Ok(PointSet { dim, data, count })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Adds a point; the first sets the dimension. An empty vector is an
    /// error: it has no place in a space.
    pub fn add(&mut self, x: &[f32]) -> Result<(), VectorError> {
        if x.is_empty() {
            return Err(VectorError::Dimension {
                expected: self.dim.max(1),
                actual: 0,
            });
        }
        if self.count == 0 {
            self.dim = x.len();
        } else if x.len() != self.dim {
            return Err(VectorError::LengthMismatch {
                left: self.dim,
                right: x.len(),
            });
        }
        self.data.extend_from_slice(x);
        self.count += 1;
        Ok(())
    }

    pub fn merge(&mut self, other: PointSet) -> Result<(), VectorError> {
        if other.count == 0 {
            return Ok(());
        }
        if self.count == 0 {
            *self = other;
            return Ok(());
        }
        if other.dim != self.dim {
            return Err(VectorError::LengthMismatch {
                left: self.dim,
                right: other.dim,
            });
        }
        self.data.extend_from_slice(&other.data);
        self.count += other.count;
        Ok(())
    }

    /// The points in a canonical order (by their bits, lexicographically),
    /// so what follows is independent of arrival order.
    pub fn sorted(&self) -> Vec<&[f32]> {
        let mut points: Vec<&[f32]> = self.data.chunks_exact(self.dim.max(1)).collect();
        points.sort_by(|a, b| {
            a.iter()
                .map(|x| x.to_bits())
                .cmp(b.iter().map(|x| x.to_bits()))
        });
        points
    }
}

/// Stops Weiszfeld's iteration: the step is below this fraction of the
/// points' spread, or this many steps were taken.
const MEDIAN_TOLERANCE: f64 = 1e-9;
const MEDIAN_STEPS: usize = 1000;

/// The point minimising the sum of Euclidean distances to the set
/// (Weiszfeld's algorithm from the centroid, with Vardi and Zhang's
/// treatment of an iterate that lands on a point). `None` when empty or
/// when a value is not finite.
pub fn geometric_median(points: &PointSet) -> Option<Vec<f32>> {
    if points.is_empty() || points.data.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let k = kernels();
    let sorted = points.sorted();
    let dim = points.dim;
    let n = sorted.len() as f64;
    let mut y = vec![0f64; dim];
    for p in &sorted {
        (k.accumulate)(&mut y, p);
    }
    y.iter_mut().for_each(|v| *v /= n);
    let spread = sorted
        .iter()
        .map(|p| distance(p, &y))
        .fold(0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut y32 = vec![0f32; dim];
    for _ in 0..MEDIAN_STEPS {
        for (a, b) in y32.iter_mut().zip(&y) {
            *a = *b as f32;
        }
        let mut numerator = vec![0f64; dim];
        let mut weights = 0f64;
        let mut at_point = 0usize;
        for p in &sorted {
            let d = (k.squared_l2)(p, &y32).sqrt();
            if d <= spread * 1e-12 {
                at_point += 1;
                continue;
            }
            let w = 1.0 / d;
            (k.accumulate_scaled)(&mut numerator, p, w);
            weights += w;
        }
        if weights == 0.0 {
            break; // every point coincides with y
        }
        let mut next: Vec<f64> = numerator.iter().map(|v| v / weights).collect();
        if at_point > 0 {
            // Vardi–Zhang: move only as far as the pull of the other points
            // outweighs the points at y; stay when it does not.
            let pull: f64 = next
                .iter()
                .zip(&y)
                .map(|(t, v)| (t - v) * weights)
                .map(|r| r * r)
                .sum::<f64>()
                .sqrt();
            let eta = at_point as f64;
            if pull <= eta {
                break;
            }
            let keep = eta / pull;
            for (t, v) in next.iter_mut().zip(&y) {
                *t = (1.0 - keep) * *t + keep * v;
            }
        }
        let step: f64 = next
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        y = next;
        if step <= MEDIAN_TOLERANCE * spread {
            break;
        }
    }
    let out: Vec<f32> = y.iter().map(|v| *v as f32).collect();
    out.iter().all(|v| v.is_finite()).then_some(out)
}

fn distance(p: &[f32], y: &[f64]) -> f64 {
    p.iter()
        .zip(y)
        .map(|(a, b)| (*a as f64 - b) * (*a as f64 - b))
        .sum::<f64>()
        .sqrt()
}

/// Lloyd's refinement stops when no point changes cluster, or after this many rounds.
const KMEANS_ROUNDS: usize = 100;

/// k-means over the set: `k` centroids (fewer when the set has fewer
/// distinct points), packed row after row. Seeded deterministically by
/// farthest-point traversal from the first point in canonical order, then
/// one online (MacQueen) pass over the points in that order, then Lloyd's
/// rounds until no point moves. `None` when empty or `k` is 0.
pub fn kmeans(points: &PointSet, k: usize) -> Option<Vec<f32>> {
    if points.is_empty() || k == 0 || points.data.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let kern = kernels();
    let sorted = points.sorted();
    let dim = points.dim;
    // Farthest-point seeding.
    let mut centroids: Vec<Vec<f32>> = vec![sorted[0].to_vec()];
    let mut nearest: Vec<f64> = sorted
        .iter()
        .map(|p| (kern.squared_l2)(p, &centroids[0]))
        .collect();
    while centroids.len() < k {
        let (far, d) =
            nearest.iter().enumerate().fold(
                (0, -1f64),
                |best, (i, d)| if *d > best.1 { (i, *d) } else { best },
            );
        if d <= 0.0 {
            break; // every point is already a centroid
        }
        let c = sorted[far].to_vec();
        for (n, p) in nearest.iter_mut().zip(&sorted) {
            *n = n.min((kern.squared_l2)(p, &c));
        }
        centroids.push(c);
    }
    let closest = |centroids: &[Vec<f32>], p: &[f32]| -> usize {
        let mut best = (0, f64::INFINITY);
        for (i, c) in centroids.iter().enumerate() {
            let d = (kern.squared_l2)(p, c);
            if d < best.1 {
                best = (i, d);
            }
        }
        best.0
    };
    // One online pass: each point pulls its nearest centroid by 1/count.
    let mut counts = vec![1u64; centroids.len()];
    let mut online: Vec<Vec<f64>> = centroids
        .iter()
        .map(|c| c.iter().map(|v| *v as f64).collect())
        .collect();
    for p in &sorted {
        let c = closest(&centroids, p);
        counts[c] += 1;
        let rate = 1.0 / counts[c] as f64;
        for (m, v) in online[c].iter_mut().zip(*p) {
            *m += (*v as f64 - *m) * rate;
        }
        for (a, b) in centroids[c].iter_mut().zip(&online[c]) {
            *a = *b as f32;
        }
    }
    // Lloyd's rounds.
    let mut assignment = vec![usize::MAX; sorted.len()];
    for _ in 0..KMEANS_ROUNDS {
        let mut moved = false;
        for (a, p) in assignment.iter_mut().zip(&sorted) {
            let c = closest(&centroids, p);
            moved |= *a != c;
            *a = c;
        }
        if !moved {
            break;
        }
        let mut sums = vec![vec![0f64; dim]; centroids.len()];
        let mut sizes = vec![0u64; centroids.len()];
        for (a, p) in assignment.iter().zip(&sorted) {
            (kern.accumulate)(&mut sums[*a], p);
            sizes[*a] += 1;
        }
        for ((c, s), n) in centroids.iter_mut().zip(&sums).zip(&sizes) {
            if *n > 0 {
                for (a, b) in c.iter_mut().zip(s) {
                    *a = (b / *n as f64) as f32;
                }
            }
        }
    }
    Some(centroids.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(dim: usize, values: &[f32]) -> PointSet {
        let mut s = PointSet::new();
        for p in values.chunks_exact(dim) {
            s.add(p).unwrap();
        }
        s
    }

    fn total_distance(points: &PointSet, y: &[f32]) -> f64 {
        let y: Vec<f64> = y.iter().map(|v| *v as f64).collect();
        points
            .data
            .chunks_exact(points.dim)
            .map(|p| distance(p, &y))
            .sum()
    }

    #[test]
    fn median_of_known_sets() {
        // Collinear: the middle point.
        let s = set(1, &[0.0, 1.0, 10.0]);
        assert_eq!(geometric_median(&s), Some(vec![1.0]));
        // A square's corners: the centre.
        let s = set(2, &[0.0, 0.0, 2.0, 0.0, 0.0, 2.0, 2.0, 2.0]);
        let m = geometric_median(&s).unwrap();
        assert!(
            (m[0] - 1.0).abs() < 1e-5 && (m[1] - 1.0).abs() < 1e-5,
            "{m:?}"
        );
        // A point that dominates: the median sits on it.
        let s = set(2, &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 5.0]);
        let m = geometric_median(&s).unwrap();
        assert!(m[0].abs() < 1e-5 && m[1].abs() < 1e-5, "{m:?}");
        assert_eq!(geometric_median(&PointSet::new()), None);
        assert_eq!(geometric_median(&set(1, &[f32::NAN])), None);
    }

    #[test]
    fn kmeans_finds_separated_clusters() {
        let s = set(
            2,
            &[
                0.0, 0.0, 0.1, 0.0, 0.0, 0.1, 10.0, 10.0, 10.1, 10.0, 10.0, 10.1,
            ],
        );
        let c = kmeans(&s, 2).unwrap();
        let mut pairs: Vec<(f32, f32)> = c.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(
            (pairs[0].0 - 0.0333).abs() < 1e-3 && (pairs[1].0 - 10.0333).abs() < 1e-3,
            "{pairs:?}"
        );
        // More clusters than distinct points: one centroid per point.
        let s = set(1, &[1.0, 1.0, 2.0]);
        assert_eq!(kmeans(&s, 5).unwrap().len(), 2);
        assert_eq!(kmeans(&s, 0), None);
    }

    #[test]
    fn bad_points_and_states_are_errors() {
        let mut s = PointSet::new();
        assert!(s.add(&[]).is_err());
        s.add(&[1.0, 2.0]).unwrap();
        assert!(s.add(&[1.0]).is_err());
        assert!(PointSet::from_parts(3, vec![1.0; 4]).is_err());
        assert!(PointSet::from_parts(0, vec![1.0]).is_err());
        assert_eq!(PointSet::from_parts(2, vec![1.0; 4]).unwrap().len(), 2);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn results_do_not_depend_on_order_or_split(
            dim in 1usize..6,
            count in 1usize..30,
            split in 0usize..30,
            k in 1usize..5,
            values in prop::collection::vec(-50f32..50.0, 6 * 30),
        ) {
            let values = &values[..dim * count];
            let whole = set(dim, values);
            let split = split.min(count) * dim;
            // The second half first, then the first: another order and split.
            let mut merged = set(dim, &values[split..]);
            merged.merge(set(dim, &values[..split])).unwrap();
            let median = geometric_median(&whole).unwrap();
            prop_assert_eq!(&geometric_median(&merged).unwrap(), &median);
            prop_assert_eq!(kmeans(&merged, k), kmeans(&whole, k));
            // Weiszfeld converged: no point of a small grid around the
            // median is better by more than rounding.
            let best = total_distance(&whole, &median);
            for axis in 0..dim {
                for step in [-1e-2f32, 1e-2] {
                    let mut probe = median.clone();
                    probe[axis] += step;
                    prop_assert!(total_distance(&whole, &probe) >= best * (1.0 - 1e-6) - 1e-6);
                }
            }
        }
    }
}
