//! The safe entry points every SIMD implementation puts in front of its
//! kernels, written once: below `SHORT_REDUCTION` elements (sums) or
//! `SHORT_MAP` (element-wise) they answer with the scalar code, which is
//! faster there (setting up and reducing vector accumulators costs more
//! than a few elements; measured by `benches/versus_reference` on x86_64),
//! and above they call the implementation's `unsafe` kernels.

/// Below this many elements sums answer with the scalar code.
pub const SHORT_REDUCTION: usize = 16;
/// Below this many elements element-wise kernels answer with the scalar code.
pub const SHORT_MAP: usize = 32;

/// Defines `const KERNELS: Kernels` named `$name` in the calling module from
/// its kernels: `$dot`, `$dot_norms`, `$squared_l2` and `$dot_and_squares`
/// (functions of the module) and the element-wise ones in module `$each`
/// (`add`, `subtract`, `scale`, `scale_f64`, `lerp`, `accumulate`,
/// `accumulate_scaled`, `axpy_f64`, `welford`, `max`, `position_of`,
/// `exp_shifted`).
///
/// The calling module guarantees that the CPU has the target features of
/// every kernel it names wherever `KERNELS` is reachable (on x86_64, only
/// behind the feature check; on aarch64, NEON is in the baseline): that is
/// the safety argument of each `unsafe` call below.
macro_rules! entry_points {
    (
        name: $name:literal,
        dot: $dot:ident,
        dot_norms: $dot_norms:ident,
        squared_l2: $squared_l2:ident,
        dot_and_squares: $dot_and_squares:ident,
        element_wise: $each:ident $(,)?
    ) => {
        mod entry {
            use super::$each;
            use $crate::simd::entry_points::{SHORT_MAP, SHORT_REDUCTION};
            use $crate::simd::portable;
            use $crate::vector::reference;

            // SAFETY (every `unsafe` block): see `entry_points!`.
            pub fn dot(a: &[f32], b: &[f32]) -> f64 {
                if a.len() < SHORT_REDUCTION {
                    return reference::dot(a, b);
                }
                unsafe { super::$dot(a, b) }
            }
            pub fn sum_squares(a: &[f32]) -> f64 {
                if a.len() < SHORT_REDUCTION {
                    return reference::sum_squares(a);
                }
                unsafe { super::$dot(a, a) }
            }
            pub fn dot_norms(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
                if a.len() < SHORT_REDUCTION {
                    return portable::dot_norms(a, b);
                }
                unsafe { super::$dot_norms(a, b) }
            }
            pub fn squared_l2(a: &[f32], b: &[f32]) -> f64 {
                if a.len() < SHORT_REDUCTION {
                    return reference::squared_l2(a, b);
                }
                unsafe { super::$squared_l2(a, b) }
            }
            pub fn dot_and_squares(a: &[f32], b: &[f32]) -> (f64, f64) {
                if a.len() < SHORT_REDUCTION {
                    return portable::dot_and_squares(a, b);
                }
                unsafe { super::$dot_and_squares(a, b) }
            }
            pub fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
                if a.len() < SHORT_MAP {
                    return reference::add(a, b, out);
                }
                unsafe { $each::add(a, b, out) }
            }
            pub fn subtract(a: &[f32], b: &[f32], out: &mut [f32]) {
                if a.len() < SHORT_MAP {
                    return reference::subtract(a, b, out);
                }
                unsafe { $each::subtract(a, b, out) }
            }
            pub fn scale(a: &[f32], factor: f32, out: &mut [f32]) {
                if a.len() < SHORT_MAP {
                    return reference::scale(a, factor, out);
                }
                unsafe { $each::scale(a, factor, out) }
            }
            pub fn scale_f64(values: &mut [f32], factor: f64) {
                if values.len() < SHORT_MAP {
                    return reference::scale_f64(values, factor);
                }
                unsafe { $each::scale_f64(values, factor) }
            }
            pub fn lerp(a: &[f32], b: &[f32], t: f32, out: &mut [f32]) {
                if a.len() < SHORT_MAP {
                    return reference::lerp(a, b, t, out);
                }
                unsafe { $each::lerp(a, b, t, out) }
            }
            pub fn accumulate(sums: &mut [f64], x: &[f32]) {
                if x.len() < SHORT_MAP {
                    return reference::accumulate(sums, x);
                }
                unsafe { $each::accumulate(sums, x) }
            }
            pub fn accumulate_scaled(sums: &mut [f64], x: &[f32], w: f64) {
                if x.len() < SHORT_MAP {
                    return reference::accumulate_scaled(sums, x, w);
                }
                unsafe { $each::accumulate_scaled(sums, x, w) }
            }
            pub fn axpy_f64(y: &mut [f64], a: f64, x: &[f64]) {
                if x.len() < SHORT_MAP {
                    return reference::axpy_f64(y, a, x);
                }
                unsafe { $each::axpy_f64(y, a, x) }
            }
            pub fn welford(mean: &mut [f64], m2: &mut [f64], x: &[f32], inv_count: f64) {
                if x.len() < SHORT_MAP {
                    return reference::welford(mean, m2, x, inv_count);
                }
                unsafe { $each::welford(mean, m2, x, inv_count) }
            }
            pub fn max(a: &[f32]) -> f32 {
                if a.len() < SHORT_REDUCTION {
                    return reference::max(a);
                }
                unsafe { $each::max(a) }
            }
            pub fn position_of(a: &[f32], value: f32) -> Option<usize> {
                unsafe { $each::position_of(a, value) }
            }
            pub fn exp_shifted(a: &[f32], shift: f32, out: &mut [f32]) -> f64 {
                unsafe { $each::exp_shifted(a, shift, out) }
            }
        }

        const KERNELS: $crate::simd::Kernels = $crate::simd::Kernels {
            name: $name,
            dot_norms: entry::dot_norms,
            dot: entry::dot,
            sum_squares: entry::sum_squares,
            squared_l2: entry::squared_l2,
            dot_and_squares: entry::dot_and_squares,
            add: entry::add,
            subtract: entry::subtract,
            scale: entry::scale,
            scale_f64: entry::scale_f64,
            lerp: entry::lerp,
            accumulate: entry::accumulate,
            welford: entry::welford,
            accumulate_scaled: entry::accumulate_scaled,
            axpy_f64: entry::axpy_f64,
            max: entry::max,
            position_of: entry::position_of,
            exp_shifted: entry::exp_shifted,
        };
    };
}
