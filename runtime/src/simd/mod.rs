//! f32 kernels with one implementation chosen at run time for the CPU:
//! AVX2 + FMA on x86_64 where present, NEON on aarch64, otherwise portable
//! code (which the compiler may still auto-vectorise for the baseline
//! target). The choice is made once, on first use.
//!
//! Accumulation is in f32 across 32 independent lanes (four 8-lane
//! registers), reduced in f64 at the end. Against the f64 reference in
//! `vector::reference`, a result differs by at most `n · ε · Σ|xᵢyᵢ|`
//! (ε = f32::EPSILON), the standard bound for summation; the property tests
//! check exactly that bound.

#[macro_use]
mod blocks;
#[macro_use]
mod entry_points;

#[cfg(target_arch = "aarch64")]
mod aarch64;
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
    /// outᵢ = aᵢ + bᵢ (all three of equal length, as for every kernel that
    /// writes `out`).
    pub add: fn(&[f32], &[f32], &mut [f32]),
    /// outᵢ = aᵢ − bᵢ.
    pub subtract: fn(&[f32], &[f32], &mut [f32]),
    /// outᵢ = aᵢ · factor.
    pub scale: fn(&[f32], f32, &mut [f32]),
    /// aᵢ · factor computed in f64, rounded once to f32, in place.
    pub scale_f64: fn(&mut [f32], f64),
    /// outᵢ = aᵢ + t(bᵢ − aᵢ), rounded after each operation.
    pub lerp: fn(&[f32], &[f32], f32, &mut [f32]),
    /// sumsᵢ += xᵢ in f64 (equal lengths), bit for bit the reference.
    pub accumulate: fn(&mut [f64], &[f32]),
    /// sumsᵢ += w · xᵢ in f64 (a weighted accumulate), bit for bit the reference.
    pub accumulate_scaled: fn(&mut [f64], &[f32], f64),
    /// yᵢ += a · xᵢ in f64, bit for bit the reference (no fused multiply-add).
    pub axpy_f64: fn(&mut [f64], f64, &[f64]),
    /// Welford's running mean and sum of squared deviations in f64 (see
    /// `vector::reference::welford`), bit for bit the reference.
    pub welford: fn(&mut [f64], &mut [f64], &[f32], f64),
    /// The largest element, NaN ignored; −∞ when there is none.
    pub max: fn(&[f32]) -> f32,
    /// The first index whose element equals the value.
    pub position_of: fn(&[f32], f32) -> Option<usize>,
    /// outᵢ = exp(aᵢ − shift) (within 2 ulp), returning Σ outᵢ.
    pub exp_shifted: fn(&[f32], f32, &mut [f32]) -> f64,
}

/// The portable implementation, always available.
pub const PORTABLE: Kernels = Kernels {
    name: "portable",
    dot_norms: portable::dot_norms,
    dot: portable::dot,
    sum_squares: portable::sum_squares,
    squared_l2: portable::squared_l2,
    dot_and_squares: portable::dot_and_squares,
    add: portable::elementwise::add,
    subtract: portable::elementwise::subtract,
    scale: portable::elementwise::scale,
    scale_f64: portable::elementwise::scale_f64,
    lerp: portable::elementwise::lerp,
    accumulate: portable::elementwise::accumulate,
    welford: portable::elementwise::welford,
    accumulate_scaled: portable::elementwise::accumulate_scaled,
    axpy_f64: portable::elementwise::axpy_f64,
    max: portable::elementwise::max,
    position_of: portable::elementwise::position_of,
    exp_shifted: portable::elementwise::exp_shifted,
};

/// Every implementation this CPU can run, best first.
// On aarch64 the pushes are unconditional, which clippy would rather see
// written as `vec![..]`; one shape serves every target.
#[cfg_attr(target_arch = "aarch64", allow(clippy::vec_init_then_push))]
pub fn available() -> Vec<Kernels> {
    let mut all = Vec::new();
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = x86::avx2_fma() {
        all.push(k);
    }
    #[cfg(target_arch = "aarch64")]
    all.push(aarch64::neon());
    all.push(PORTABLE);
    all
}

/// The implementation in use, chosen once.
pub fn kernels() -> &'static Kernels {
    static CHOSEN: OnceLock<Kernels> = OnceLock::new();
    CHOSEN.get_or_init(|| available()[0])
}

#[cfg(test)]
mod tests;
