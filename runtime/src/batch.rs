//! One query against many vectors packed in one block (row-major, `dim`
//! floats per row): the top k rows by cosine similarity, and the centroid of
//! a block. Each row goes through the chosen SIMD kernel once.

use crate::simd::kernels;
use crate::vector::VectorError;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A row and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub row: usize,
    pub cosine: f64,
}

/// Orders hits so the heap's top is the worst kept: lower similarity, then
/// the later row (ties keep the earlier row, deterministically).
#[derive(PartialEq)]
struct Worst(Hit);

impl Eq for Worst {}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .cosine
            .total_cmp(&self.0.cosine)
            .then(self.0.row.cmp(&other.0.row))
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn rows(block: &[f32], dim: usize) -> Result<std::slice::ChunksExact<'_, f32>, VectorError> {
    if dim == 0 || !block.len().is_multiple_of(dim) {
        return Err(VectorError::Dimension {
            expected: dim,
            actual: block.len(),
        });
    }
    Ok(block.chunks_exact(dim))
}

/// The `k` rows of `block` most similar to `query` by cosine, best first
/// (ties: lower row first). Rows of zero length have no cosine and are
/// skipped, as a zero query skips all.
pub fn top_k_cosine(
    query: &[f32],
    block: &[f32],
    dim: usize,
    k: usize,
) -> Result<Vec<Hit>, VectorError> {
    if query.len() != dim {
        return Err(VectorError::Dimension {
            expected: dim,
            actual: query.len(),
        });
    }
    let kernels = kernels();
    let mut query_squares = (kernels.sum_squares)(query);
    if !query_squares.is_finite() {
        query_squares = crate::vector::reference::sum_squares(query);
    }
    let query_norm = query_squares.sqrt();
    let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(k + 1);
    if k == 0 || query_norm == 0.0 {
        return Ok(Vec::new());
    }
    for (row, values) in rows(block, dim)?.enumerate() {
        let (mut dot, mut row_squares) = (kernels.dot_and_squares)(query, values);
        // f32 accumulators overflow for huge values: redo those in f64.
        if !dot.is_finite() || !row_squares.is_finite() {
            dot = crate::vector::reference::dot(query, values);
            row_squares = crate::vector::reference::sum_squares(values);
        }
        if row_squares == 0.0 {
            continue;
        }
        let cosine = (dot / (query_norm * row_squares.sqrt())).clamp(-1.0, 1.0);
        let hit = Worst(Hit { row, cosine });
        if heap.len() < k {
            heap.push(hit);
        } else if let Some(worst) = heap.peek()
            && hit.cmp(worst) == Ordering::Less
        {
            heap.pop();
            heap.push(hit);
        }
    }
    let mut hits: Vec<Hit> = heap.into_iter().map(|w| w.0).collect();
    hits.sort_by(|a, b| b.cosine.total_cmp(&a.cosine).then(a.row.cmp(&b.row)));
    Ok(hits)
}

/// [`top_k_cosine`] with the rows split into `threads` parts searched at
/// once on rayon's pool (its workers persist, so no thread is started per
/// call), each part keeping its own top k, merged at the end: the same hits
/// as one thread.
pub fn top_k_cosine_parallel(
    query: &[f32],
    block: &[f32],
    dim: usize,
    k: usize,
    threads: usize,
) -> Result<Vec<Hit>, VectorError> {
    let total_rows = rows(block, dim)?.len();
    let threads = threads.clamp(1, total_rows.max(1));
    if threads == 1 {
        return top_k_cosine(query, block, dim, k);
    }
    let per_thread = total_rows.div_ceil(threads);
    let parts: Vec<Result<Vec<Hit>, VectorError>> = block
        .par_chunks(per_thread * dim)
        .enumerate()
        .map(|(part, chunk)| {
            top_k_cosine(query, chunk, dim, k).map(|hits| {
                hits.into_iter()
                    .map(|h| Hit {
                        row: h.row + part * per_thread,
                        cosine: h.cosine,
                    })
                    .collect()
            })
        })
        .collect();
    let mut hits = Vec::new();
    for part in parts {
        hits.extend(part?);
    }
    hits.sort_by(|a, b| b.cosine.total_cmp(&a.cosine).then(a.row.cmp(&b.row)));
    hits.truncate(k);
    Ok(hits)
}

/// The mean of the rows of `block`, accumulated in f64; `None` for an empty
/// block.
pub fn centroid(block: &[f32], dim: usize) -> Result<Option<Vec<f32>>, VectorError> {
    let mut sums = vec![0f64; dim];
    let mut count = 0usize;
    for values in rows(block, dim)? {
        for (s, v) in sums.iter_mut().zip(values) {
            *s += *v as f64;
        }
        count += 1;
    }
    Ok((count > 0).then(|| sums.iter().map(|s| (s / count as f64) as f32).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::reference;
    use proptest::prelude::*;

    fn reference_top_k(query: &[f32], block: &[f32], dim: usize, k: usize) -> Vec<(usize, f64)> {
        let qn = reference::sum_squares(query).sqrt();
        let mut all: Vec<(usize, f64)> = block
            .chunks_exact(dim)
            .enumerate()
            .filter_map(|(i, r)| {
                let rn = reference::sum_squares(r).sqrt();
                (rn > 0.0 && qn > 0.0).then(|| (i, reference::dot(query, r) / (qn * rn)))
            })
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(k);
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn top_k_matches_the_reference(
            dim in 1usize..64,
            rows in 0usize..80,
            k in 0usize..12,
            seed in prop::collection::vec(-1.0f32..1.0, 64 * 81),
        ) {
            let query = &seed[..dim];
            let block = &seed[64..64 + rows * dim];
            let got = top_k_cosine(query, block, dim, k).unwrap();
            let expected = reference_top_k(query, block, dim, k);
            prop_assert_eq!(got.len(), expected.len());
            for (g, e) in got.iter().zip(&expected) {
                // Equal up to the kernels' summation bound; near-ties may
                // swap rows, so compare the similarities in order.
                prop_assert!((g.cosine - e.1).abs() <= 1e-5, "{:?} vs {:?}", got, expected);
            }
        }

        #[test]
        fn threads_find_what_one_thread_finds(
            dim in 1usize..16,
            rows in 0usize..60,
            k in 0usize..8,
            threads in 1usize..5,
            seed in prop::collection::vec(-1.0f32..1.0, 16 * 61),
        ) {
            let query = &seed[..dim];
            let block = &seed[16..16 + rows * dim];
            prop_assert_eq!(
                top_k_cosine_parallel(query, block, dim, k, threads).unwrap(),
                top_k_cosine(query, block, dim, k).unwrap()
            );
        }

        #[test]
        fn centroid_is_the_mean(dim in 1usize..32, rows in 1usize..40, seed in prop::collection::vec(-1e3f32..1e3, 32 * 40)) {
            let block = &seed[..rows * dim];
            let mean = centroid(block, dim).unwrap().unwrap();
            for (j, m) in mean.iter().enumerate() {
                let exact: f64 = (0..rows).map(|r| block[r * dim + j] as f64).sum::<f64>() / rows as f64;
                prop_assert!((*m as f64 - exact).abs() <= exact.abs() * 1e-6 + 1e-6);
            }
        }
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let big = [3e30f32, 4e30];
        let hits = top_k_cosine(&big, &[3e30, 4e30, -3e30, -4e30], 2, 2).unwrap();
        assert_eq!(hits[0].row, 0);
        assert!(
            (hits[0].cosine - 1.0).abs() < 1e-9 && (hits[1].cosine + 1.0).abs() < 1e-9,
            "{hits:?}"
        );
    }

    #[test]
    fn shapes_and_edges() {
        assert!(
            top_k_cosine(&[1.0, 0.0], &[1.0, 0.0, 0.0], 2, 1).is_err(),
            "block not a whole number of rows"
        );
        assert!(
            top_k_cosine(&[1.0], &[1.0, 2.0], 2, 1).is_err(),
            "query of another dimension"
        );
        let hits =
            top_k_cosine(&[1.0, 0.0], &[0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0], 2, 2).unwrap();
        assert_eq!(
            hits.iter().map(|h| h.row).collect::<Vec<_>>(),
            vec![1, 3],
            "zero row skipped, ties by row"
        );
        assert_eq!(centroid(&[], 3).unwrap(), None);
    }
}
