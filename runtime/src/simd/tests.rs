//! Every implementation against the f64 reference (reductions, within the
//! summation bound) and against the scalar rounding (element-wise, bit for
//! bit), on lengths 0..4096, odd tails and unaligned starts.

use super::*;
use crate::vector::reference;
use proptest::prelude::*;

/// The summation bound: n · ε · Σ|xᵢ| (plus a little for the final
/// reductions).
fn bound(n: usize, magnitude: f64) -> f64 {
    (n as f64 + 4.0) * f32::EPSILON as f64 * magnitude + 1e-30
}

fn check_pair(a: &[f32], b: &[f32]) -> Result<(), TestCaseError> {
    let abs_dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 * *y as f64).abs())
        .sum();
    let sq = |v: &[f32]| -> f64 { v.iter().map(|x| *x as f64 * *x as f64).sum() };
    let diff: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum();
    let n = a.len();
    for k in available() {
        let d = (k.dot)(a, b);
        prop_assert!(
            (d - reference::dot(a, b)).abs() <= bound(n, abs_dot),
            "{} dot {d}",
            k.name
        );
        let (d2, na, nb) = (k.dot_norms)(a, b);
        prop_assert!(
            (d2 - reference::dot(a, b)).abs() <= bound(n, abs_dot),
            "{} dot_norms",
            k.name
        );
        prop_assert!((na - sq(a)).abs() <= bound(n, sq(a)), "{} norm a", k.name);
        prop_assert!((nb - sq(b)).abs() <= bound(n, sq(b)), "{} norm b", k.name);
        let (d3, nb3) = (k.dot_and_squares)(a, b);
        prop_assert!(
            (d3 - reference::dot(a, b)).abs() <= bound(n, abs_dot),
            "{} dot_and_squares dot",
            k.name
        );
        prop_assert!(
            (nb3 - sq(b)).abs() <= bound(n, sq(b)),
            "{} dot_and_squares b",
            k.name
        );
        prop_assert!(
            ((k.sum_squares)(a) - sq(a)).abs() <= bound(n, sq(a)),
            "{} sum_squares",
            k.name
        );
        // (a-b)² is formed in f32: each term carries one more rounding.
        prop_assert!(
            ((k.squared_l2)(a, b) - diff).abs() <= bound(n + 2, diff),
            "{} squared_l2",
            k.name
        );
    }
    Ok(())
}

#[test]
fn dispatch_picks_the_best_available_once() {
    let chosen = kernels();
    assert_eq!(chosen.name, available()[0].name);
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        assert_eq!(chosen.name, "avx2+fma");
    }
    #[cfg(target_arch = "aarch64")]
    assert_eq!(chosen.name, "neon");
}

#[test]
fn exact_on_small_integers_and_empty_input() {
    for k in available() {
        assert_eq!((k.dot)(&[], &[]), 0.0, "{}", k.name);
        assert_eq!(
            (k.dot)(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]),
            32.0,
            "{}",
            k.name
        );
        assert_eq!((k.squared_l2)(&[0.0, 0.0], &[3.0, 4.0]), 25.0, "{}", k.name);
        let v: Vec<f32> = (0..1000).map(|i| (i % 7) as f32).collect();
        let expected: f64 = v.iter().map(|x| (*x * *x) as f64).sum();
        assert_eq!((k.sum_squares)(&v), expected, "{}", k.name);
    }
}

proptest! {
    #[test]
    fn every_kernel_matches_the_reference_within_the_bound(
        (a, b) in (0usize..4096).prop_flat_map(|n| (prop::collection::vec(-1e3f32..1e3, n), prop::collection::vec(-1e3f32..1e3, n)))
    ) {
        check_pair(&a, &b)?;
    }

    #[test]
    fn unaligned_slices_and_odd_tails(
        v in prop::collection::vec(-10f32..10.0, 1..600),
        offset in 0usize..8,
    ) {
        let offset = offset.min(v.len());
        let a = &v[offset..];
        let b: Vec<f32> = a.iter().map(|x| x * 0.5 - 1.0).collect();
        check_pair(a, &b)?;
    }
}

/// The same bits element by element (so NaN equals NaN), or the first
/// place they differ.
fn same_bits(kernel: &str, got: &[f32], expected: &[f32]) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), expected.len(), "{}: length", kernel);
    if let Some(i) = (0..got.len()).find(|i| got[*i].to_bits() != expected[*i].to_bits()) {
        return Err(TestCaseError::fail(format!(
            "{kernel}: element {i} is {} where the scalar code gives {}",
            got[i], expected[i]
        )));
    }
    Ok(())
}

/// As `same_bits` for f64 results; any NaN matches any NaN (the payload of
/// a NaN produced from a NaN input is not part of the contract).
fn same_bits_f64(kernel: &str, got: &[f64], expected: &[f64]) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), expected.len(), "{}: length", kernel);
    let differs = |i: &usize| {
        got[*i].to_bits() != expected[*i].to_bits() && !(got[*i].is_nan() && expected[*i].is_nan())
    };
    if let Some(i) = (0..got.len()).find(differs) {
        return Err(TestCaseError::fail(format!(
            "{kernel}: element {i} is {} where the scalar code gives {}",
            got[i], expected[i]
        )));
    }
    Ok(())
}

/// Floats with the awkward values mixed in: NaN, ±∞, ±0, subnormals.
fn awkward_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => -1e4f32..1e4,
        1 => prop::sample::select(vec![
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            f32::MIN_POSITIVE / 4.0,
            f32::MAX,
            f32::MIN,
        ]),
        1 => any::<f32>(),
    ]
}

fn check_elementwise(a: &[f32], b: &[f32], t: f32) -> Result<(), TestCaseError> {
    let n = a.len();
    let expected = |kernel: &dyn Fn(&mut [f32])| {
        let mut out = vec![0.0; n];
        kernel(&mut out);
        out
    };
    let expect_add = expected(&|out| reference::add(a, b, out));
    let expect_sub = expected(&|out| reference::subtract(a, b, out));
    let expect_scale = expected(&|out| reference::scale(a, t, out));
    let factor = t as f64 / 3.0;
    let expect_scale_f64 = expected(&|out| {
        out.copy_from_slice(a);
        reference::scale_f64(out, factor)
    });
    let expect_lerp = expected(&|out| reference::lerp(a, b, t, out));
    let expect_max = reference::max(a);
    for k in available() {
        let mut out = vec![0.0; n];
        (k.add)(a, b, &mut out);
        same_bits(&format!("{} add", k.name), &out, &expect_add)?;
        (k.subtract)(a, b, &mut out);
        same_bits(&format!("{} subtract", k.name), &out, &expect_sub)?;
        (k.scale)(a, t, &mut out);
        same_bits(&format!("{} scale", k.name), &out, &expect_scale)?;
        out.copy_from_slice(a);
        (k.scale_f64)(&mut out, factor);
        same_bits(&format!("{} scale_f64", k.name), &out, &expect_scale_f64)?;
        (k.lerp)(a, b, t, &mut out);
        same_bits(&format!("{} lerp", k.name), &out, &expect_lerp)?;
        let start: Vec<f64> = b.iter().map(|v| *v as f64 * 0.5).collect();
        let mut sums = start.clone();
        (k.accumulate)(&mut sums, a);
        let mut expect = start.clone();
        reference::accumulate(&mut expect, a);
        same_bits_f64(&format!("{} accumulate", k.name), &sums, &expect)?;
        let inv = 1.0 / (1.0 + (t.abs() as f64).min(1e6));
        let (mut mean, mut m2) = (
            start.clone(),
            start.iter().map(|v| v.abs()).collect::<Vec<_>>(),
        );
        let (mut expect_mean, mut expect_m2) = (mean.clone(), m2.clone());
        (k.welford)(&mut mean, &mut m2, a, inv);
        reference::welford(&mut expect_mean, &mut expect_m2, a, inv);
        same_bits_f64(&format!("{} welford mean", k.name), &mean, &expect_mean)?;
        same_bits_f64(&format!("{} welford m2", k.name), &m2, &expect_m2)?;
        let w = t as f64 * 0.75;
        let mut sums = start.clone();
        (k.accumulate_scaled)(&mut sums, a, w);
        let mut expect = start.clone();
        reference::accumulate_scaled(&mut expect, a, w);
        same_bits_f64(&format!("{} accumulate_scaled", k.name), &sums, &expect)?;
        let x: Vec<f64> = a.iter().map(|v| *v as f64 * 1.5).collect();
        let mut y = start.clone();
        (k.axpy_f64)(&mut y, w, &x);
        let mut expect = start.clone();
        reference::axpy_f64(&mut expect, w, &x);
        same_bits_f64(&format!("{} axpy_f64", k.name), &y, &expect)?;
        let max = (k.max)(a);
        // ±0 tie: either sign is the maximum.
        prop_assert!(
            max == expect_max && !max.is_nan(),
            "{} max {max} vs {expect_max}",
            k.name
        );
        prop_assert_eq!(
            (k.position_of)(a, max),
            reference::argmax(a),
            "{} arg-max",
            k.name
        );
    }
    Ok(())
}

/// ulps between two finite non-negative floats.
fn ulps(x: f32, y: f32) -> u32 {
    x.to_bits().abs_diff(y.to_bits())
}

#[test]
fn exp_is_within_two_ulps_across_its_range() {
    // Every 97th float bit pattern from −87.3 up to −0.0: about 11 million
    // values, through whole 8-lane blocks and the tail alike.
    let lowest = (-87.33654f32).to_bits();
    let values: Vec<f32> = (0x8000_0000u32..=lowest)
        .step_by(97)
        .map(f32::from_bits)
        .collect();
    for k in available() {
        let mut out = vec![0.0; values.len()];
        (k.exp_shifted)(&values, 0.0, &mut out);
        let worst = values
            .iter()
            .zip(&out)
            .map(|(x, e)| ulps(*e, (*x as f64).exp() as f32))
            .max()
            .unwrap();
        assert!(worst <= 2, "{}: {worst} ulps", k.name);
    }
}

#[test]
fn exp_edges() {
    for k in available() {
        let a = [
            0.0,
            f32::NEG_INFINITY,
            -100.0,
            f32::NAN,
            -1.0,
            0.0,
            -0.0,
            -87.0,
            -88.0,
        ];
        let mut out = [9.0f32; 9];
        let total = (k.exp_shifted)(&a, 0.0, &mut out);
        assert_eq!(out[0], 1.0, "{}", k.name);
        assert_eq!(out[1], 0.0, "{} e^-inf", k.name);
        assert!(out[2] < 1e-37, "{} e^-100 = {}", k.name, out[2]);
        assert!(out[3].is_nan(), "{} e^NaN", k.name);
        assert!(total.is_nan(), "{} NaN makes the sum NaN", k.name);
        assert_eq!(out[6], 1.0, "{}", k.name);
        assert!(out[7] > 0.0, "{}", k.name);
    }
}

proptest! {
    #[test]
    fn element_wise_kernels_round_as_the_scalar_code(
        (a, b) in (0usize..4096).prop_flat_map(|n| (
            prop::collection::vec(awkward_f32(), n),
            prop::collection::vec(awkward_f32(), n),
        )),
        t in awkward_f32(),
        offset in 0usize..8,
    ) {
        let offset = offset.min(a.len());
        check_elementwise(&a[offset..], &b[offset..], t)?;
    }

    #[test]
    fn softmax_is_within_its_bound(
        a in (0usize..4096).prop_flat_map(|n| prop::collection::vec(-100f32..100.0, n)),
        offset in 0usize..8,
    ) {
        let a = &a[offset.min(a.len())..];
        let fast = crate::vector::softmax(a);
        let exact = reference::softmax(a);
        let n = a.len() as f32;
        for (f, e) in fast.iter().zip(&exact) {
            prop_assert!(
                (f - e).abs() <= (n + 8.0) * f32::EPSILON * e + 2e-38,
                "{f} vs {e}"
            );
        }
    }

    #[test]
    fn softmax_and_argmax_agree_with_the_reference_on_awkward_input(
        a in prop::collection::vec(awkward_f32(), 0..300),
    ) {
        prop_assert_eq!(crate::vector::argmax(&a), reference::argmax(&a));
        let fast = crate::vector::softmax(&a);
        let exact = reference::softmax(&a);
        prop_assert_eq!(fast.len(), exact.len());
        for (f, e) in fast.iter().zip(&exact) {
            prop_assert_eq!(f.is_nan(), e.is_nan(), "{} vs {}", f, e);
        }
    }
}
