//! f32 → the JSON text of a `VECTOR(n)`: every element as
//! `-?d.dddddddde[+-]ddd`, SQL Server's own shape with one more digit.
//! Nine significant digits always round-trip an f32 (the decimal spacing,
//! at most 10⁻⁸ relative, is under half the f32 spacing, at least 2⁻²⁵), so
//! `parse_vector(print_vector(v)) == v` bit for bit, in our parser and in
//! SQL Server's.
//!
//! Each element costs one f64 multiply by a tabled power of ten, a rounding
//! check on the digit count, and the digits formatted eight at a time in a
//! 64-bit word (SWAR); 16 bytes are written per element with two stores.
//! With AVX2 (`print_avx2.rs`) four elements go through the same steps at
//! once.

use super::POW10;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonFiniteElement {
    pub index: usize,
    pub value: String,
}

impl fmt::Display for NonFiniteElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "element {} is {}, which JSON and VECTOR cannot hold",
            self.index, self.value
        )
    }
}

impl std::error::Error for NonFiniteElement {}

/// Bytes one element takes at most: sign, `d.dddddddd`, `e`, sign, three
/// exponent digits.
pub(super) const ELEMENT: usize = 16;

/// The JSON text of `values`: `[e0,e1,...]`. NaN and infinities are refused
/// with the first one's index.
pub fn print_vector(values: &[f32]) -> Result<String, NonFiniteElement> {
    print_with(values, true)
}

/// `print_vector`, with AVX2 for all but the last few elements where the
/// CPU has it and `simd` allows.
fn print_with(values: &[f32], simd: bool) -> Result<String, NonFiniteElement> {
    let non_finite = |index: usize| NonFiniteElement {
        index,
        value: format!("{}", values[index]),
    };
    // Each element: up to 16 bytes and a comma (written as 17 bytes of
    // whole 8- or 16-byte stores and one byte), plus the brackets.
    let capacity = values.len() * (ELEMENT + 1) + 2;
    let mut out: Vec<u8> = Vec::with_capacity(capacity);
    let base = out.as_mut_ptr();
    // SAFETY: capacity >= 2.
    unsafe { base.write(b'[') };
    let mut at = 1;
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if simd && std::is_x86_feature_detected!("avx2") {
        let groups = values.len() / 4 * 4;
        // SAFETY: the CPU has the features; from byte 1, ELEMENT + 1 bytes
        // per element remain.
        match unsafe { super::print_avx2::print_groups(&values[..groups], base.add(1)) } {
            Some(written) => {
                at += written;
                done = groups;
            }
            None => {
                let index = values.iter().position(|x| !x.is_finite());
                return Err(non_finite(index.expect("a group held one")));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = simd;
    let rest = &values[done..];
    if let Some(index) = rest.iter().position(|x| !x.is_finite()) {
        return Err(non_finite(done + index));
    }
    // SAFETY: every write below is at `at + k` for k < 17 with
    // at <= 1 + 17·i before element i, so within `capacity`; only ASCII is
    // written and `set_len` covers exactly the bytes written.
    unsafe {
        for x in rest {
            let a = x.abs() as f64;
            let (d, e) = if a == 0.0 { (0, 0) } else { nine_digits(a) };
            let (first, second, len) = element_words(x.is_sign_negative(), d, e);
            base.add(at).cast::<u64>().write_unaligned(first.to_le());
            base.add(at + 8)
                .cast::<u64>()
                .write_unaligned(second.to_le());
            base.add(at + len).write(b',');
            at += len + 1;
        }
        // The last comma becomes the closing bracket (or, for no elements,
        // the bracket follows the opening one).
        if values.is_empty() {
            base.add(at).write(b']');
            at += 1;
        } else {
            base.add(at - 1).write(b']');
        }
        out.set_len(at);
        debug_assert!(out.is_ascii());
        Ok(String::from_utf8_unchecked(out))
    }
}

/// One element (its sign, nine digits and exponent) as 16 bytes in two
/// little-endian words, and how many of those bytes it takes (15, or 16
/// with a minus sign).
#[inline(always)]
fn element_words(negative: bool, digits: u32, exponent: i32) -> (u64, u64, usize) {
    let negative = negative as usize;
    let digits = digits as u64;
    let first = digits / 100_000_000;
    let rest = eight_digits((digits - first * 100_000_000) as u32);
    // Without a sign: `d` `.` d d d d d d | d d `e` ± d d d (and one spare byte).
    let head = (b'0' as u64 + first) | (b'.' as u64) << 8 | rest << 16;
    let tail = rest >> 48 | EXPONENT_TEXT[(exponent + 64) as usize] << 16;
    // A minus sign shifts everything one byte along: done without a
    // branch, which random signs would mispredict every other element.
    let both =
        ((tail as u128) << 64 | head as u128) << (8 * negative) | (negative as u128 * b'-' as u128);
    (both as u64, (both >> 64) as u64, 15 + negative)
}

/// `e+ddd` / `e-ddd` for exponents −64..=64, as little-endian words.
pub(super) static EXPONENT_TEXT: [u64; 129] = {
    let mut table = [0u64; 129];
    let mut i = 0;
    while i < 129 {
        let e = i as i64 - 64;
        let (sign, m) = if e < 0 { (b'-', -e) } else { (b'+', e) };
        let m = m as u64;
        table[i] = b'e' as u64
            | (sign as u64) << 8
            | (b'0' as u64 + m / 100) << 16
            | (b'0' as u64 + m / 10 % 10) << 24
            | (b'0' as u64 + m % 10) << 32;
        i += 1;
    }
    table
};

/// The nine significant digits of `a` (> 0, finite) and its decimal
/// exponent: a ≈ digits · 10^(exponent − 8), digits in [10⁸, 10⁹).
#[inline(always)]
pub(super) fn nine_digits(a: f64) -> (u32, i32) {
    // ⌊log₁₀ a⌋ is ⌊b·log₁₀ 2⌋ or one more, for a in [2^b, 2^(b+1))
    // (78913 / 2¹⁸ ≈ log₁₀ 2); a comparison with the next power of ten
    // decides, without a branch (which random data would mispredict).
    let binary = ((a.to_bits() >> 52) as i32) - 1023;
    let mut exponent = (binary * 78913) >> 18;
    exponent += (a >= POW10[(exponent + 1 + 64) as usize]) as i32;
    let v = a * POW10[(8 - exponent + 64) as usize];
    // SAFETY: v + 0.5 is finite and below 10⁹ + 1 (a < 10^(exponent + 1)),
    // so it fits an i64.
    let digits: i64 = unsafe { (v + 0.5).to_int_unchecked() };
    // The product carries at most a few f64 roundings (under 10⁻⁶ of a unit
    // in the last digit at these magnitudes): within that of a tie, the
    // digit could go either way, so the exact formatter decides.
    if ((digits as f64 - v) - 0.5).abs() < 1e-6 {
        return exact_digits(a);
    }
    if digits >= 1_000_000_000 {
        // 9.999999996e5 rounds up to 1.00000000e6.
        return (100_000_000, exponent + 1);
    }
    (digits as u32, exponent)
}

/// The correctly rounded (ties to even) nine digits of `a` and its
/// exponent, from the standard library's exact formatter: for the rare
/// product too close to a rounding tie to decide in f64.
#[cold]
fn exact_digits(a: f64) -> (u32, i32) {
    let text = format!("{a:.8e}");
    let (mantissa, exponent) = text.split_once('e').expect("exponent form");
    let digits = mantissa.replace('.', "").parse().expect("digits");
    (digits, exponent.parse().expect("exponent"))
}

/// Eight ASCII digits of `n` (< 10⁸), most significant first in memory
/// (the lowest byte of the little-endian word).
#[inline(always)]
fn eight_digits(n: u32) -> u64 {
    // Two 4-digit halves in 32-bit lanes, then 2-digit pairs in 16-bit
    // lanes, then digits in bytes: division by 100 and 10 as multiply-shift,
    // exact for these ranges (x < 10⁴ and x < 100).
    let hi = (n / 10_000) as u64;
    let lo = (n % 10_000) as u64;
    let v = hi | (lo << 32);
    let hundreds = ((v * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let v = hundreds | ((v - hundreds * 100) << 16);
    let tens = ((v * 103) >> 10) & 0x000F_000F_000F_000F;
    let v = tens | ((v - tens * 10) << 8);
    v | 0x3030_3030_3030_3030
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_vector;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(print_vector(&[]).unwrap(), "[]");
        assert_eq!(
            print_vector(&[1.0, -0.0025, 300.0, 0.0, -0.0]).unwrap(),
            // 0.0025 is not an f32: its nearest is 0.00249999994412065.
            "[1.00000000e+000,-2.49999994e-003,3.00000000e+002,0.00000000e+000,-0.00000000e+000]"
        );
        assert_eq!(print_vector(&[f32::MAX]).unwrap(), "[3.40282347e+038]");
        assert_eq!(
            print_vector(&[f32::MIN_POSITIVE]).unwrap(),
            "[1.17549435e-038]"
        );
        // The smallest subnormal: 1.40129846e-45.
        assert_eq!(
            print_vector(&[f32::from_bits(1)]).unwrap(),
            "[1.40129846e-045]"
        );
        assert_eq!(print_vector(&[0.1]).unwrap(), "[1.00000001e-001]");
        // An exact tie at the ninth digit (1044460.125) rounds to even.
        assert_eq!(print_vector(&[1_044_460.1]).unwrap(), "[1.04446012e+006]");
    }

    #[test]
    fn eight_digits_formats_every_position() {
        for n in [
            0, 1, 9, 10, 99, 100, 9_999, 10_000, 12_345_678, 99_999_999, 10_000_001,
        ] {
            assert_eq!(
                eight_digits(n).to_le_bytes(),
                *format!("{n:08}").as_bytes(),
                "{n}"
            );
        }
    }

    #[test]
    fn non_finite_elements_are_refused_by_index() {
        let e = print_vector(&[1.0, f32::NAN]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "element 1 is NaN, which JSON and VECTOR cannot hold"
        );
        assert_eq!(print_vector(&[f32::NEG_INFINITY]).unwrap_err().index, 0);
    }

    #[test]
    fn powers_of_ten_and_their_neighbours_round_trip() {
        // Where the digit-count estimate is most often off by one.
        let mut values = Vec::new();
        for e in -45..=38 {
            let p = format!("1e{e}").parse::<f32>().unwrap();
            if p.is_finite() && p > 0.0 {
                for d in -3i64..=3 {
                    let bits = p.to_bits() as i64 + d;
                    if bits > 0 {
                        values.push(f32::from_bits(bits as u32));
                    }
                }
            }
        }
        let text = print_vector(&values).unwrap();
        let back = parse_vector(text.as_bytes()).unwrap();
        for (a, b) in values.iter().zip(&back) {
            assert_eq!(a.to_bits(), b.to_bits(), "{a:e} → {b:e} in {text}");
        }
    }

    /// Every one of the 2³² bit patterns: printed by both paths, parsed
    /// back, compared.
    /// Minutes in a release build, so not part of the suite:
    /// `cargo test --release -p runtime -- --ignored every_f32_round_trips`.
    #[test]
    #[ignore = "exhaustive: run by hand in release (docs/benchmarks.md records the run)"]
    fn every_f32_round_trips() {
        let mut block = Vec::with_capacity(1 << 16);
        for high in 0u32..1 << 16 {
            block.clear();
            block.extend(
                (0..1u32 << 16)
                    .map(|low| f32::from_bits(high << 16 | low))
                    .filter(|x| x.is_finite()),
            );
            let text = print_vector(&block).unwrap();
            // The AVX2 path (where present) writes what the scalar one does.
            assert_eq!(text, print_with(&block, false).unwrap());
            let back = parse_vector(text.as_bytes()).unwrap();
            assert_eq!(back.len(), block.len());
            for (a, b) in block.iter().zip(&back) {
                assert_eq!(a.to_bits(), b.to_bits(), "{a:e} came back as {b:e}");
            }
        }
    }

    proptest! {
        /// The AVX2 path (where present) and the scalar one write the same
        /// text, zeros, subnormals and both signs among the values.
        #[test]
        fn simd_and_scalar_paths_agree(bits in prop::collection::vec(any::<u32>(), 0..=200), zeros in any::<u64>()) {
            let values: Vec<f32> = bits
                .into_iter()
                .enumerate()
                .map(|(i, b)| match (zeros >> (i % 64) & 1, i % 3) {
                    (1, 0) => f32::from_bits(b & 0x8000_0000),
                    (1, 1) => f32::from_bits(b & 0x8000_00FF),
                    _ => f32::from_bits(b),
                })
                .filter(|x| x.is_finite())
                .collect();
            prop_assert_eq!(print_with(&values, true).unwrap(), print_with(&values, false).unwrap());
        }

        /// NaN or an infinity anywhere is refused with its index, on either
        /// path.
        #[test]
        fn the_first_non_finite_element_is_named(len in 1usize..40, at in any::<prop::sample::Index>(), which in 0..3usize) {
            let mut values: Vec<f32> = (0..len).map(|i| i as f32 - 7.5).collect();
            let i = at.index(len);
            values[i] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][which];
            for simd in [true, false] {
                prop_assert_eq!(print_with(&values, simd).unwrap_err().index, i);
            }
        }

        /// Every finite f32 (any bit pattern) comes back bit for bit, through
        /// our parser and through the standard library's.
        #[test]
        fn round_trips_exactly(bits in prop::collection::vec(any::<u32>(), 0..64)) {
            let values: Vec<f32> = bits.into_iter().map(f32::from_bits).filter(|x| x.is_finite()).collect();
            let text = print_vector(&values).unwrap();
            let back = parse_vector(text.as_bytes()).unwrap();
            prop_assert_eq!(back.len(), values.len());
            let inner = &text[1..text.len() - 1];
            let parts: Vec<&str> = if inner.is_empty() { vec![] } else { inner.split(',').collect() };
            for ((a, b), part) in values.iter().zip(&back).zip(parts) {
                prop_assert_eq!(a.to_bits(), b.to_bits(), "{} printed as {}", a, part);
                prop_assert_eq!(part.parse::<f32>().unwrap().to_bits(), a.to_bits(), "std reads {}", part);
                prop_assert!(part.len() == 15 + a.is_sign_negative() as usize, "{}", part);
            }
        }

        /// The digits are the correctly rounded nine-digit decimal (what
        /// `{:.8e}` prints), not merely one that round-trips.
        #[test]
        fn digits_are_correctly_rounded(bits in any::<u32>()) {
            let x = f32::from_bits(bits);
            prop_assume!(x.is_finite() && x != 0.0);
            let ours = print_vector(&[x]).unwrap();
            let std = format!("{:.8e}", x.abs() as f64);
            let (mantissa, exponent) = std.split_once('e').unwrap();
            let ours_mantissa = ours.trim_start_matches("[-").trim_start_matches('[');
            prop_assert!(ours_mantissa.starts_with(mantissa), "{} vs {}", ours, std);
            let e: i32 = exponent.parse().unwrap();
            prop_assert!(ours.contains(&format!("e{}{:03}", if e < 0 { '-' } else { '+' }, e.abs())), "{} vs {}", ours, std);
        }
    }
}
