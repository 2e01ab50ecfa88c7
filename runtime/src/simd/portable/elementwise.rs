//! Element-wise kernels and the pieces of softmax and arg-max, written so
//! the compiler vectorises them for the baseline target. Each element is
//! rounded exactly as `vector::reference` rounds it, so every implementation
//! gives the same bits (softmax's `exp` aside; see `simd`).

pub fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
    }
}

pub fn subtract(a: &[f32], b: &[f32], out: &mut [f32]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x - y;
    }
}

pub fn scale(a: &[f32], factor: f32, out: &mut [f32]) {
    for (o, x) in out.iter_mut().zip(a) {
        *o = x * factor;
    }
}

pub fn scale_f64(values: &mut [f32], factor: f64) {
    for x in values {
        *x = (*x as f64 * factor) as f32;
    }
}

pub fn lerp(a: &[f32], b: &[f32], t: f32, out: &mut [f32]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x + t * (y - x);
    }
}

pub fn accumulate(sums: &mut [f64], x: &[f32]) {
    for (s, v) in sums.iter_mut().zip(x) {
        *s += *v as f64;
    }
}

pub fn accumulate_scaled(sums: &mut [f64], x: &[f32], w: f64) {
    for (s, v) in sums.iter_mut().zip(x) {
        *s += w * *v as f64;
    }
}

pub fn axpy_f64(y: &mut [f64], a: f64, x: &[f64]) {
    for (s, v) in y.iter_mut().zip(x) {
        *s += a * v;
    }
}

pub fn welford(mean: &mut [f64], m2: &mut [f64], x: &[f32], inv_count: f64) {
    for ((m, q), v) in mean.iter_mut().zip(m2.iter_mut()).zip(x) {
        let v = *v as f64;
        let d = v - *m;
        *m += d * inv_count;
        *q += d * (v - *m);
    }
}

/// The largest element, NaN ignored; −∞ when there is none.
pub fn max(a: &[f32]) -> f32 {
    const LANES: usize = 8;
    let mut acc = [f32::NEG_INFINITY; LANES];
    let (chunks, tail) = a.as_chunks::<LANES>();
    for chunk in chunks {
        for i in 0..LANES {
            // `>` is false for NaN, so NaN never replaces the running max.
            if chunk[i] > acc[i] {
                acc[i] = chunk[i];
            }
        }
    }
    let mut best = f32::NEG_INFINITY;
    for x in acc.iter().chain(tail) {
        if *x > best {
            best = *x;
        }
    }
    best
}

/// The first index whose element equals `value` (never for NaN).
pub fn position_of(a: &[f32], value: f32) -> Option<usize> {
    a.iter().position(|x| *x == value)
}

/// exp(aᵢ − shift) into `out`; returns their sum. The difference is taken
/// in f64, where it is exact.
pub fn exp_shifted(a: &[f32], shift: f32, out: &mut [f32]) -> f64 {
    let mut total = 0.0f64;
    for (o, x) in out.iter_mut().zip(a) {
        *o = (*x as f64 - shift as f64).exp() as f32;
        total += *o as f64;
    }
    total
}
