//! f32 kernels with one implementation chosen at run time for the CPU:
//! AVX2 + FMA on x86_64 where present, otherwise portable code (which the
//! compiler may still auto-vectorise for the baseline target). The choice is
//! made once, on first use.
//!
//! Accumulation is in f32 across 32 independent lanes (four 8-lane
//! registers), reduced in f64 at the end. Against the f64 reference in
//! `vector::reference`, a result differs by at most `n · ε · Σ|xᵢyᵢ|`
//! (ε = f32::EPSILON), the standard bound for summation; the property tests
//! check exactly that bound.

mod portable;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::sync::OnceLock;

/// Σ aᵢbᵢ, Σ aᵢ², Σ bᵢ².
pub type DotNorms = (f64, f64, f64);

/// One implementation of every kernel.
#[derive(Clone, Copy)]
pub struct Kernels {
    pub name: &'static str,
    /// Σ aᵢbᵢ, Σ aᵢ², Σ bᵢ² in one pass (equal lengths).
    pub dot_norms: fn(&[f32], &[f32]) -> DotNorms,
    /// Σ aᵢbᵢ (equal lengths).
    pub dot: fn(&[f32], &[f32]) -> f64,
    /// Σ aᵢ².
    pub sum_squares: fn(&[f32]) -> f64,
    /// Σ (aᵢ − bᵢ)² (equal lengths).
    pub squared_l2: fn(&[f32], &[f32]) -> f64,
    /// Σ aᵢbᵢ and Σ bᵢ² (equal lengths): a query, whose norm is known,
    /// against one row.
    pub dot_and_squares: fn(&[f32], &[f32]) -> (f64, f64),
}

/// The portable implementation, always available.
pub const PORTABLE: Kernels = Kernels {
    name: "portable",
    dot_norms: portable::dot_norms,
    dot: portable::dot,
    sum_squares: portable::sum_squares,
    squared_l2: portable::squared_l2,
    dot_and_squares: portable::dot_and_squares,
};

/// Every implementation this CPU can run, best first.
pub fn available() -> Vec<Kernels> {
    let mut all = Vec::new();
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = x86::avx2_fma() {
        all.push(k);
    }
    all.push(PORTABLE);
    all
}

/// The implementation in use, chosen once.
pub fn kernels() -> &'static Kernels {
    static CHOSEN: OnceLock<Kernels> = OnceLock::new();
    CHOSEN.get_or_init(|| available()[0])
}

#[cfg(test)]
mod tests {
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
}
