//! Portable kernels: eight independent accumulators so the compiler can
//! keep them in vector registers, and the loop has no serial dependency.

pub mod elementwise;

const LANES: usize = 8;

#[inline]
fn reduce(acc: [f32; LANES]) -> f64 {
    acc.iter().map(|x| *x as f64).sum()
}

pub fn dot(a: &[f32], b: &[f32]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0f32; LANES];
    let (ca, ta) = a.as_chunks::<LANES>();
    let (cb, tb) = b.as_chunks::<LANES>();
    for (x, y) in ca.iter().zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    reduce(acc)
        + ta.iter()
            .zip(tb)
            .map(|(x, y)| (*x * *y) as f64)
            .sum::<f64>()
}

pub fn sum_squares(a: &[f32]) -> f64 {
    let mut acc = [0f32; LANES];
    let (ca, ta) = a.as_chunks::<LANES>();
    for x in ca {
        for i in 0..LANES {
            acc[i] += x[i] * x[i];
        }
    }
    reduce(acc) + ta.iter().map(|x| (*x * *x) as f64).sum::<f64>()
}

pub fn dot_and_squares(a: &[f32], b: &[f32]) -> (f64, f64) {
    debug_assert_eq!(a.len(), b.len());
    let (mut d, mut nb) = ([0f32; LANES], [0f32; LANES]);
    let (ca, ta) = a.as_chunks::<LANES>();
    let (cb, tb) = b.as_chunks::<LANES>();
    for (x, y) in ca.iter().zip(cb) {
        for i in 0..LANES {
            d[i] += x[i] * y[i];
            nb[i] += y[i] * y[i];
        }
    }
    let mut out = (reduce(d), reduce(nb));
    for (x, y) in ta.iter().zip(tb) {
        out.0 += (*x * *y) as f64;
        out.1 += (*y * *y) as f64;
    }
    out
}

pub fn dot_norms(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    debug_assert_eq!(a.len(), b.len());
    let (mut d, mut na, mut nb) = ([0f32; LANES], [0f32; LANES], [0f32; LANES]);
    let (ca, ta) = a.as_chunks::<LANES>();
    let (cb, tb) = b.as_chunks::<LANES>();
    for (x, y) in ca.iter().zip(cb) {
        for i in 0..LANES {
            d[i] += x[i] * y[i];
            na[i] += x[i] * x[i];
            nb[i] += y[i] * y[i];
        }
    }
    let mut out = (reduce(d), reduce(na), reduce(nb));
    for (x, y) in ta.iter().zip(tb) {
        out.0 += (*x * *y) as f64;
        out.1 += (*x * *x) as f64;
        out.2 += (*y * *y) as f64;
    }
    out
}

pub fn squared_l2(a: &[f32], b: &[f32]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0f32; LANES];
    let (ca, ta) = a.as_chunks::<LANES>();
    let (cb, tb) = b.as_chunks::<LANES>();
    for (x, y) in ca.iter().zip(cb) {
        for i in 0..LANES {
            let d = x[i] - y[i];
            acc[i] += d * d;
        }
    }
    reduce(acc)
        + ta.iter()
            .zip(tb)
            .map(|(x, y)| {
                let d = *x - *y;
                (d * d) as f64
            })
            .sum::<f64>()
}
