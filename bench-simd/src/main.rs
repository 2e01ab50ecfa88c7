//! One query against 1, 1,000 and 200,000 vectors of 1998 dimensions, on 1
//! and 2 threads: our kernels, SimSIMD (its Rust crate over the C library,
//! best implementation for this CPU chosen at run time), and the machine's
//! read bandwidth over the same bytes, all in one process on the same data.
//!
//! Writes the data to `<out>/block.f32` and `<out>/query.f32` (raw
//! little-endian) so the numpy side of `scripts/bench-simd.sh` times the very
//! same bytes, and the results as JSON lines to stdout.
//!
//! Timing: each measurement is the fastest of several runs (more for the
//! small cases) of a loop long enough to be timed, after one warm-up.

use rayon::prelude::*;
use simsimd::SpatialSimilarity;
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

const DIM: usize = 1998;
const ROWS: usize = 200_000;

/// Deterministic values spread like a normalised embedding (xorshift64).
fn data(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.2
        })
        .collect()
}

/// Seconds per call of `f`: the fastest of `rounds` timed loops of `calls`.
fn seconds(rounds: usize, calls: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                f();
            }
            start.elapsed().as_secs_f64() / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Splits the rows of `block` into `threads` parts folded at once with
/// `work` on rayon's pool (as `runtime::batch` does; one thread: no pool),
/// and combines the results with `merge`.
fn split<T: Send>(
    block: &[f32],
    threads: usize,
    work: impl Fn(&[f32]) -> T + Sync + Send,
    merge: impl Fn(T, T) -> T + Sync + Send,
) -> T {
    if threads == 1 {
        return work(block);
    }
    let per = (block.len() / DIM).div_ceil(threads) * DIM;
    block
        .par_chunks(per)
        .map(&work)
        .reduce_with(merge)
        .expect("one chunk at least")
}

/// Reads every byte once: the bandwidth any one-pass search is bound by.
fn read_all(block: &[f32], threads: usize) -> u32 {
    split(
        block,
        threads,
        |chunk| chunk.iter().fold(0u32, |a, v| a ^ v.to_bits()),
        |a, b| a ^ b,
    )
}

/// SimSIMD's cosine of the query against every row, the best row kept
/// (SimSIMD has no top-k; keeping one is cheaper than our top 10).
fn simsimd_best(query: &[f32], block: &[f32], threads: usize) -> (f64, usize) {
    split(
        block,
        threads,
        |chunk| {
            chunk
                .chunks_exact(DIM)
                .enumerate()
                .map(|(i, row)| {
                    (
                        <f32 as SpatialSimilarity>::cos(query, row).expect("equal lengths"),
                        i,
                    )
                })
                .fold((f64::INFINITY, 0), |a, b| if b.0 < a.0 { b } else { a })
        },
        |a, b| if b.0 < a.0 { b } else { a },
    )
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/bench-simd".into()),
    );
    std::fs::create_dir_all(&out).expect("output directory");
    let query = data(DIM, 0x2545_f491_4f6c_dd1d);
    let block = data(ROWS * DIM, 0x9e37_79b9_7f4a_7c15);
    let bytes = |v: &[f32]| -> Vec<u8> { v.iter().flat_map(|x| x.to_le_bytes()).collect() };
    std::fs::write(out.join("query.f32"), bytes(&query)).expect("query file");
    std::fs::write(out.join("block.f32"), bytes(&block)).expect("block file");

    let kernels = runtime::simd::kernels().name;
    // Bytes read per call: both vectors of a pair; a block's rows (the
    // query stays in cache).
    let report = |case: &str, rows: usize, threads: usize, who: &str, seconds: f64| {
        let bytes = if case == "pair" {
            2 * DIM * 4
        } else {
            rows * DIM * 4
        };
        let line = serde_json::json!({
            "case": case, "rows": rows, "threads": threads, "who": who,
            "seconds": seconds,
            "pairs_per_second": rows as f64 / seconds,
            "gb_per_second": bytes as f64 / seconds / 1e9,
        });
        println!("{line}");
        std::io::stdout().flush().ok();
    };
    eprintln!("our kernels: {kernels}");

    // One pair, cache hot: the query against row 0.
    let row = &block[..DIM];
    let c = 200_000;
    report(
        "pair",
        1,
        1,
        "ours/cosine",
        seconds(15, c, || {
            black_box(runtime::vector::cosine(black_box(&query), black_box(row)).unwrap());
        }),
    );
    report(
        "pair",
        1,
        1,
        "ours/dot",
        seconds(15, c, || {
            black_box(runtime::vector::dot(black_box(&query), black_box(row)).unwrap());
        }),
    );
    report(
        "pair",
        1,
        1,
        "simsimd/cosine",
        seconds(15, c, || {
            black_box(<f32 as SpatialSimilarity>::cos(
                black_box(&query),
                black_box(row),
            ));
        }),
    );
    report(
        "pair",
        1,
        1,
        "simsimd/dot",
        seconds(15, c, || {
            black_box(<f32 as SpatialSimilarity>::dot(
                black_box(&query),
                black_box(row),
            ));
        }),
    );
    report(
        "pair",
        1,
        1,
        "read_bandwidth",
        seconds(15, c, || {
            black_box(read_all(black_box(&block[..2 * DIM]), 1));
        }),
    );

    // 1,000 rows (8 MB, cache resident on this VM's L3) and 200,000 (1.6 GB,
    // memory bound), on 1 and 2 threads.
    for (rows, rounds, calls) in [(1_000, 15, 100), (ROWS, 5, 1)] {
        let part = &block[..rows * DIM];
        for threads in [1, 2] {
            report(
                "block",
                rows,
                threads,
                "ours/top10_cosine",
                seconds(rounds, calls, || {
                    black_box(
                        runtime::batch::top_k_cosine_parallel(
                            &query,
                            black_box(part),
                            DIM,
                            10,
                            threads,
                        )
                        .unwrap(),
                    );
                }),
            );
            report(
                "block",
                rows,
                threads,
                "simsimd/best_cosine",
                seconds(rounds, calls, || {
                    black_box(simsimd_best(&query, black_box(part), threads));
                }),
            );
            report(
                "block",
                rows,
                threads,
                "read_bandwidth",
                seconds(rounds, calls, || {
                    black_box(read_all(black_box(part), threads));
                }),
            );
        }
    }
}
