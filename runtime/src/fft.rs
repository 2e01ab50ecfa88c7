//! Discrete Fourier transforms of f32 signals, through rustfft (which picks
//! AVX, SSE or NEON at run time) and realfft for real input. Plans are
//! cached per thread, so repeated lengths pay for planning once.
//!
//! Conventions: the forward transform is unnormalised,
//! Xₖ = Σ xₙ e^(−2πikn/N); the inverses divide by N, so a round trip gives
//! the signal back. A real signal of length N has N/2 + 1 independent bins.

use realfft::RealFftPlanner;
use rustfft::FftPlanner;
use std::cell::RefCell;
use std::fmt;

pub use rustfft::num_complex::Complex32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FftError {
    /// An inverse real transform was given a spectrum that is not N/2 + 1
    /// bins for the requested length N.
    SpectrumLength { length: usize, bins: usize },
}

impl fmt::Display for FftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FftError::SpectrumLength { length, bins } => write!(
                f,
                "a real signal of {length} samples has {} spectrum bins, got {bins}",
                length / 2 + 1
            ),
        }
    }
}

impl std::error::Error for FftError {}

thread_local! {
    static COMPLEX: RefCell<FftPlanner<f32>> = RefCell::new(FftPlanner::new());
    static REAL: RefCell<RealFftPlanner<f32>> = RefCell::new(RealFftPlanner::new());
}

/// The forward transform of a complex signal.
pub fn fft(signal: &[Complex32]) -> Vec<Complex32> {
    let mut data = signal.to_vec();
    if !data.is_empty() {
        COMPLEX.with_borrow_mut(|p| p.plan_fft_forward(data.len()).process(&mut data));
    }
    data
}

/// The inverse transform, divided by N.
pub fn ifft(spectrum: &[Complex32]) -> Vec<Complex32> {
    let mut data = spectrum.to_vec();
    if !data.is_empty() {
        COMPLEX.with_borrow_mut(|p| p.plan_fft_inverse(data.len()).process(&mut data));
        let scale = 1.0 / data.len() as f32;
        data.iter_mut().for_each(|c| *c *= scale);
    }
    data
}

/// The N/2 + 1 bins of a real signal's transform (the rest are their
/// complex conjugates).
pub fn rfft(signal: &[f32]) -> Vec<Complex32> {
    if signal.is_empty() {
        return Vec::new();
    }
    REAL.with_borrow_mut(|p| {
        let plan = p.plan_fft_forward(signal.len());
        let mut input = signal.to_vec();
        let mut output = plan.make_output_vec();
        plan.process(&mut input, &mut output)
            .expect("buffer lengths come from the plan");
        output
    })
}

/// The real signal of `length` samples whose transform is `spectrum`
/// (N/2 + 1 bins), divided by N. The imaginary parts of bin 0 (and of bin
/// N/2 for even N), which a real signal's transform cannot have, are
/// ignored.
pub fn irfft(spectrum: &[Complex32], length: usize) -> Result<Vec<f32>, FftError> {
    let bins = if length == 0 { 0 } else { length / 2 + 1 };
    if spectrum.len() != bins {
        return Err(FftError::SpectrumLength {
            length,
            bins: spectrum.len(),
        });
    }
    if length == 0 {
        return Ok(Vec::new());
    }
    let mut input = spectrum.to_vec();
    input[0].im = 0.0;
    if length.is_multiple_of(2) {
        input[bins - 1].im = 0.0;
    }
    REAL.with_borrow_mut(|p| {
        let plan = p.plan_fft_inverse(length);
        let mut output = plan.make_output_vec();
        plan.process(&mut input, &mut output)
            .expect("imaginary parts that must be zero were cleared");
        let scale = 1.0 / length as f32;
        output.iter_mut().for_each(|x| *x *= scale);
        Ok(output)
    })
}

/// The direct O(N²) transform in f64: what the fast one is tested against.
pub mod reference {
    use super::Complex32;

    pub fn dft(signal: &[Complex32]) -> Vec<(f64, f64)> {
        let n = signal.len();
        (0..n)
            .map(|k| {
                signal
                    .iter()
                    .enumerate()
                    .fold((0.0, 0.0), |(re, im), (j, x)| {
                        // k·j mod n keeps the angle exact for large indices.
                        let angle = -2.0 * std::f64::consts::PI * ((k * j) % n) as f64 / n as f64;
                        let (s, c) = angle.sin_cos();
                        (
                            re + x.re as f64 * c - x.im as f64 * s,
                            im + x.re as f64 * s + x.im as f64 * c,
                        )
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The error bound for an FFT in f32: a few ε · log₂N · ‖x‖ per bin
    /// (with room: plans for awkward lengths use Bluestein's algorithm).
    fn close(fast: &[Complex32], exact: &[(f64, f64)], energy: f64) -> Result<(), TestCaseError> {
        prop_assert_eq!(fast.len(), exact.len());
        let n = fast.len().max(2) as f64;
        let tolerance = 64.0 * f32::EPSILON as f64 * n.log2() * energy.sqrt() * n.sqrt() + 1e-6;
        for (k, (f, e)) in fast.iter().zip(exact).enumerate() {
            let error = ((f.re as f64 - e.0).powi(2) + (f.im as f64 - e.1).powi(2)).sqrt();
            prop_assert!(
                error <= tolerance,
                "bin {k}: {f} vs {e:?} (error {error}, allowed {tolerance})"
            );
        }
        Ok(())
    }

    fn complex_signal() -> impl Strategy<Value = Vec<Complex32>> {
        prop::collection::vec((-100f32..100.0, -100f32..100.0), 0..600).prop_map(|v| {
            v.into_iter()
                .map(|(re, im)| Complex32::new(re, im))
                .collect()
        })
    }

    #[test]
    fn known_transforms() {
        // An impulse has a flat spectrum; a constant, one bin.
        let mut impulse = vec![0.0f32; 8];
        impulse[0] = 1.0;
        assert!(
            rfft(&impulse)
                .iter()
                .all(|c| *c == Complex32::new(1.0, 0.0))
        );
        let spectrum = rfft(&[2.0; 8]);
        assert_eq!(spectrum.len(), 5);
        assert_eq!(spectrum[0], Complex32::new(16.0, 0.0));
        assert!(spectrum[1..].iter().all(|c| c.norm() < 1e-5));
        assert_eq!(fft(&[]), Vec::new());
        assert_eq!(rfft(&[]), Vec::new());
        assert_eq!(irfft(&[], 0).unwrap(), Vec::<f32>::new());
        assert_eq!(rfft(&[3.0]), vec![Complex32::new(3.0, 0.0)]);
    }

    #[test]
    fn wrong_spectrum_length_names_both() {
        let e = irfft(&[Complex32::new(1.0, 0.0); 3], 8).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a real signal of 8 samples has 5 spectrum bins, got 3"
        );
    }

    proptest! {
        #[test]
        fn complex_transform_matches_the_direct_one_and_inverts(signal in complex_signal()) {
            let energy: f64 = signal.iter().map(|c| c.norm_sqr() as f64).sum();
            close(&fft(&signal), &reference::dft(&signal), energy)?;
            let back = ifft(&fft(&signal));
            for (a, b) in back.iter().zip(&signal) {
                prop_assert!((a - b).norm() <= 1e-3 * (1.0 + b.norm()), "{a} vs {b}");
            }
        }

        #[test]
        fn real_transform_is_the_first_half_and_inverts(
            signal in prop::collection::vec(-100f32..100.0, 1..600),
        ) {
            let as_complex: Vec<Complex32> = signal.iter().map(|x| Complex32::new(*x, 0.0)).collect();
            let energy: f64 = signal.iter().map(|x| (*x as f64).powi(2)).sum();
            let exact = reference::dft(&as_complex);
            let bins = rfft(&signal);
            prop_assert_eq!(bins.len(), signal.len() / 2 + 1);
            close(&bins, &exact[..bins.len()], energy)?;
            let back = irfft(&bins, signal.len()).unwrap();
            for (a, b) in back.iter().zip(&signal) {
                prop_assert!((a - b).abs() <= 1e-3 * (1.0 + b.abs()), "{a} vs {b}");
            }
        }
    }
}
