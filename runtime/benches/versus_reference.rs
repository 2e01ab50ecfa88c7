//! Every kernel against its scalar reference at every length that matters
//! for the dispatch (empty tails, one register, a register plus a tail,
//! 1998, 4096), so "no kernel slower than its reference on any input length"
//! is measured rather than assumed.
//! Run: `cargo bench -p runtime --bench versus_reference`; results in
//! docs/benchmarks.md.
//!
//! Timing: see `nanoseconds_per_call`. A ratio within 10% of 1 is within
//! what two runs of the same code differ by on this VM at a few nanoseconds.

use runtime::simd::kernels;
use runtime::vector::reference;
use std::hint::black_box;
use std::time::Instant;

const LENGTHS: [usize; 11] = [1, 3, 7, 8, 15, 16, 33, 100, 1998, 4000, 4096];

/// Per-call times of `chosen` and `reference`, each the fastest of 21
/// batches of at least 1 ms, the two measured in alternation so that a
/// disturbance hits both alike.
fn nanoseconds_per_call(mut chosen: impl FnMut(), mut reference: impl FnMut()) -> (f64, f64) {
    let mut calls = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..calls {
            chosen();
        }
        if start.elapsed().as_micros() >= 1000 {
            break;
        }
        calls *= 2;
    }
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..calls {
            f();
        }
        start.elapsed().as_nanos() as f64 / calls as f64
    };
    let mut best = (f64::INFINITY, f64::INFINITY);
    for _ in 0..21 {
        best.0 = best.0.min(time(&mut chosen));
        best.1 = best.1.min(time(&mut reference));
    }
    best
}

fn main() {
    let k = kernels();
    println!("kernels: {}", k.name);
    println!(
        "{:<12} {:>6} {:>12} {:>12} {:>8}",
        "kernel", "length", "chosen ns", "reference ns", "speed-up"
    );
    let mut slower = Vec::new();
    for n in LENGTHS {
        let a: Vec<f32> = (0..n)
            .map(|i| ((i * 37 % 1000) as f32 - 500.0) / 100.0)
            .collect();
        let b: Vec<f32> = (0..n)
            .map(|i| ((i * 91 % 1000) as f32 - 500.0) / 100.0)
            .collect();
        let out = vec![0f32; n];
        let mut row = |name: &str, chosen: f64, reference: f64| {
            let ratio = reference / chosen;
            println!("{name:<12} {n:>6} {chosen:>12.1} {reference:>12.1} {ratio:>7.2}x");
            if ratio < 0.9 {
                slower.push(format!("{name} at {n}"));
            }
        };
        // Both sides are called through a function pointer the optimiser
        // cannot see through, as callers in other crates call them: the
        // comparison is of the kernels, not of inlining.
        macro_rules! pair {
            ($name:expr, $ty:ty, $chosen:expr, $reference:expr, |$f:ident, $out:ident| $call:expr) => {{
                let (chosen, reference) = {
                    let (fast, slow): ($ty, $ty) = (black_box($chosen), black_box($reference));
                    let mut out_fast = out.clone();
                    let mut out_slow = out.clone();
                    nanoseconds_per_call(
                        || {
                            let $f = fast;
                            let $out = &mut out_fast[..];
                            black_box($call);
                        },
                        || {
                            let $f = slow;
                            let $out = &mut out_slow[..];
                            black_box($call);
                        },
                    )
                };
                row($name, chosen, reference);
            }};
        }
        type Reduce2 = fn(&[f32], &[f32]) -> f64;
        type Reduce1 = fn(&[f32]) -> f64;
        type Map2 = fn(&[f32], &[f32], &mut [f32]);
        let (a, b) = (&a[..], &b[..]);
        pair!("dot", Reduce2, k.dot, reference::dot, |f, _out| f(a, b));
        pair!(
            "cosine parts",
            fn(&[f32], &[f32]) -> (f64, f64, f64),
            k.dot_norms,
            |a, b| (
                reference::dot(a, b),
                reference::sum_squares(a),
                reference::sum_squares(b)
            ),
            |f, _out| f(a, b)
        );
        pair!(
            "squared L2",
            Reduce2,
            k.squared_l2,
            reference::squared_l2,
            |f, _out| f(a, b)
        );
        pair!(
            "norm²",
            Reduce1,
            k.sum_squares,
            reference::sum_squares,
            |f, _out| f(a)
        );
        pair!("add", Map2, k.add, reference::add, |f, out| f(a, b, out));
        pair!(
            "subtract",
            Map2,
            k.subtract,
            reference::subtract,
            |f, out| f(a, b, out)
        );
        pair!(
            "scale",
            fn(&[f32], f32, &mut [f32]),
            k.scale,
            reference::scale,
            |f, out| f(a, 0.5, out)
        );
        pair!(
            "lerp",
            fn(&[f32], &[f32], f32, &mut [f32]),
            k.lerp,
            reference::lerp,
            |f, out| f(a, b, 0.25, out)
        );
        pair!(
            "normalize",
            fn(&[f32]) -> Option<Vec<f32>>,
            runtime::vector::normalize,
            |a| {
                let n = reference::sum_squares(a).sqrt();
                let mut out = a.to_vec();
                reference::scale_f64(&mut out, 1.0 / n);
                Some(out)
            },
            |f, _out| f(a)
        );
        pair!(
            "softmax",
            fn(&[f32]) -> Vec<f32>,
            runtime::vector::softmax,
            reference::softmax,
            |f, _out| f(a)
        );
        // f64 accumulators, one buffer shared by both sides (they run in turn).
        let sums = std::cell::RefCell::new(vec![0f64; n]);
        let squares = std::cell::RefCell::new(vec![0f64; n]);
        let x64: Vec<f64> = b.iter().map(|v| *v as f64).collect();
        pair!(
            "accumulate",
            fn(&mut [f64], &[f32]),
            k.accumulate,
            reference::accumulate,
            |f, _out| f(&mut sums.borrow_mut(), a)
        );
        pair!(
            "acc. scaled",
            fn(&mut [f64], &[f32], f64),
            k.accumulate_scaled,
            reference::accumulate_scaled,
            |f, _out| f(&mut sums.borrow_mut(), a, 0.5)
        );
        pair!(
            "axpy f64",
            fn(&mut [f64], f64, &[f64]),
            k.axpy_f64,
            reference::axpy_f64,
            |f, _out| f(&mut sums.borrow_mut(), 0.5, &x64)
        );
        pair!(
            "welford",
            fn(&mut [f64], &mut [f64], &[f32], f64),
            k.welford,
            reference::welford,
            |f, _out| f(&mut sums.borrow_mut(), &mut squares.borrow_mut(), a, 1e-3)
        );
        pair!(
            "arg-max",
            fn(&[f32]) -> Option<usize>,
            runtime::vector::argmax,
            reference::argmax,
            |f, _out| f(a)
        );
    }
    if slower.is_empty() {
        println!("slower than the reference beyond the 10% noise band: none");
    } else {
        println!(
            "slower than the reference beyond the 10% noise band: {}",
            slower.join(", ")
        );
    }
}
