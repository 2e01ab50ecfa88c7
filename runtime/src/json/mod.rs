//! SQL Server 2025's `VECTOR(n)` reaches native code as JSON text
//! (`[1.0000000e+000,-2.5000000e-003,...]`): a fast, exact parser for it.
//!
//! Each number's significant digits are gathered into an integer `m` (exact in
//! f64 below 2^53) and multiplied by the f64 nearest 10^e: at most two
//! roundings, so the product is within 2 ulps (of f64) of the exact decimal.
//! f64 carries 29 more bits than f32, so rounding the product to f32 gives the
//! correctly rounded f32 unless the exact value is within those 2 ulps of an
//! f32 rounding midpoint; such numbers (rare: about 1 in 2^25), subnormals,
//! and numbers with more than 19 digits or a huge exponent take the standard
//! library's exact parser instead. No division on the fast path.
//!
//! Drivers, chosen once per call by the CPU: AVX2 (`avx2.rs`, four elements
//! of a fixed shape per step), SSE4.1 (`x86.rs`, one element of a fixed
//! shape at a time) and portable code; every one gives the same values and
//! the same errors, which the tests below hold them to.

use std::fmt;

mod print;
pub use print::{NonFiniteElement, print_vector};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonVectorError {
    /// Byte offset into the text.
    pub at: usize,
    pub expected: &'static str,
}

impl fmt::Display for JsonVectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid JSON vector at byte {}: expected {}",
            self.at, self.expected
        )
    }
}

impl std::error::Error for JsonVectorError {}

/// The f64 nearest 10^(i - 64), for i in 0..=128 (each literal is rounded
/// correctly by the compiler).
static POW10: [f64; 129] = [
    1e-64, 1e-63, 1e-62, 1e-61, 1e-60, 1e-59, 1e-58, 1e-57, 1e-56, 1e-55, 1e-54, 1e-53, 1e-52,
    1e-51, 1e-50, 1e-49, 1e-48, 1e-47, 1e-46, 1e-45, 1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39,
    1e-38, 1e-37, 1e-36, 1e-35, 1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26,
    1e-25, 1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13,
    1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3,
    1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36,
    1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52,
    1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59, 1e60, 1e61, 1e62, 1e63, 1e64,
];

fn skip_ws(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && matches!(text[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Parses `[n, n, ...]` into f32, each correctly rounded.
pub fn parse_vector(text: &[u8]) -> Result<Vec<f32>, JsonVectorError> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("sse4.1") && std::is_x86_feature_detected!("ssse3") {
        if has_avx2_driver_features() {
            // SAFETY: the CPU has the features the function is compiled for.
            return unsafe { avx2::parse_vector_avx2(text) };
        }
        // SAFETY: as above.
        return unsafe { x86::parse_vector_sse41(text) };
    }
    parse_with(text, sql_server_number)
}

/// The parse loop, with `fast` reading SQL Server's fixed shape (or saying
/// it is not that shape). Inlined into each caller so `fast` is too.
#[inline(always)]
fn parse_with(
    text: &[u8],
    fast: impl Fn(&[u8], usize) -> Option<(f32, usize)>,
) -> Result<Vec<f32>, JsonVectorError> {
    let Some(mut i) = open_array(text)? else {
        return Ok(Vec::new());
    };
    // Every element takes at least two bytes (a digit and a delimiter), so
    // this capacity always suffices and the loop writes without `push`.
    let mut out: Vec<f32> = Vec::with_capacity(text.len() / 2 + 1);
    let capacity = out.capacity();
    let base = out.as_mut_ptr();
    let mut n = 0usize;
    loop {
        // `i` is at an element (after `[` or `,`, possibly before spaces).
        let (value, end) = element_at(text, i, &fast)?;
        assert!(n < capacity, "two bytes per element");
        // SAFETY: n < capacity of `out`'s allocation.
        unsafe { base.add(n).write(value) };
        n += 1;
        match next_element(text, end)? {
            Some(next) => i = next,
            None => {
                // SAFETY: the first n elements were written above.
                unsafe { out.set_len(n) };
                return Ok(out);
            }
        }
    }
}

/// The opening bracket (after any whitespace): where the first element
/// starts, or `None` for an empty array, whose closing bracket has been
/// checked to end the text.
#[inline(always)]
fn open_array(text: &[u8]) -> Result<Option<usize>, JsonVectorError> {
    let err = |at, expected| JsonVectorError { at, expected };
    let i = skip_ws(text, 0);
    if text.get(i) != Some(&b'[') {
        return Err(err(i, "`[`"));
    }
    let i = skip_ws(text, i + 1);
    if text.get(i) != Some(&b']') {
        return Ok(Some(i));
    }
    let i = skip_ws(text, i + 1);
    if i == text.len() {
        Ok(None)
    } else {
        Err(err(i, "the end of the text"))
    }
}

/// The element at `i` (after `[` or `,`, possibly after whitespace): read
/// by `fast` when it has a fixed shape (whose next element then starts at a
/// fixed offset), else by the general reader. Its value and where it ends.
#[inline(always)]
fn element_at(
    text: &[u8],
    i: usize,
    fast: impl Fn(&[u8], usize) -> Option<(f32, usize)>,
) -> Result<(f32, usize), JsonVectorError> {
    if let Some(found) = fast(text, i) {
        return Ok(found);
    }
    let i = skip_ws(text, i);
    parse_number(text, i).ok_or(JsonVectorError {
        at: i,
        expected: "a number",
    })
}

/// What follows an element that ends at `end`: the start of the next one,
/// or `None` after the closing bracket (with only whitespace after it).
#[inline(always)]
fn next_element(text: &[u8], end: usize) -> Result<Option<usize>, JsonVectorError> {
    if text.get(end) == Some(&b',') {
        return Ok(Some(end + 1));
    }
    let i = skip_ws(text, end);
    match text.get(i) {
        Some(b',') => Ok(Some(i + 1)),
        Some(b']') => {
            let i = skip_ws(text, i + 1);
            if i == text.len() {
                Ok(None)
            } else {
                Err(JsonVectorError {
                    at: i,
                    expected: "the end of the text",
                })
            }
        }
        _ => Err(JsonVectorError {
            at: i,
            expected: "`,` or `]`",
        }),
    }
}

const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The run of up to 8 ASCII digits at `i`, read 8 bytes at a time (SWAR):
/// `(value, count)`, or `None` when fewer than 8 bytes remain.
#[inline]
fn digit_run(text: &[u8], i: usize) -> Option<(u64, usize)> {
    let chunk: [u8; 8] = text.get(i..i + 8)?.try_into().ok()?;
    // Digit bytes become 0..=9; any other byte gets its high bit set below.
    let x = u64::from_le_bytes(chunk) ^ 0x3030_3030_3030_3030;
    let non_digit = (x.wrapping_add(0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080;
    // A carry only runs towards later bytes, past the first non-digit.
    let n = (non_digit.trailing_zeros() / 8) as usize;
    if n == 0 {
        return Some((0, 0));
    }
    // Move the n digits to the top; the zero bytes below act as leading zeros.
    Some((swar_eight(x << (8 * (8 - n))), n))
}

/// Eight digit values (0..=9, first digit in the lowest byte) as a number.
#[inline]
fn swar_eight(digits: u64) -> u64 {
    let v = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    ((v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32))))
        >> 32
}

/// Digits at `*i` into `mantissa` while it holds fewer than 19; returns how
/// many digits were read and how many of them did not fit.
#[inline]
fn scan_digits(text: &[u8], i: &mut usize, mantissa: &mut u64, kept: &mut usize) -> (usize, usize) {
    let start = *i;
    let mut dropped = 0;
    loop {
        if let Some((value, n)) = digit_run(text, *i) {
            if n == 0 {
                break;
            }
            if *kept + n <= 19 {
                *mantissa = *mantissa * POW10_U64[n] + value;
                *kept += n;
                *i += n;
                if n < 8 {
                    break;
                }
                continue;
            }
        }
        match text.get(*i) {
            Some(&c) if c.is_ascii_digit() => {
                if *kept < 19 {
                    *mantissa = *mantissa * 10 + (c - b'0') as u64;
                    *kept += 1;
                } else {
                    dropped += 1;
                }
                *i += 1;
            }
            _ => break,
        }
    }
    (*i - start, dropped)
}

/// SQL Server writes every element as `-?d.ddddddde[+-]ddd` (14 or 15 bytes).
/// Numbers of exactly that shape are read from fixed offsets, so finding the
/// next number depends on one byte (the sign), not on scanning the digits.
#[inline]
fn sql_server_number(text: &[u8], start: usize) -> Option<(f32, usize)> {
    let negative = *text.get(start)? == b'-';
    let p = start + negative as usize;
    if p + 16 > text.len() {
        return None;
    }
    // Two unaligned 8-byte reads; with `^ '0'` digit bytes become 0..=9.
    let read = |at: usize| {
        let bytes: [u8; 8] = text[at..at + 8].try_into().expect("8 bytes");
        u64::from_le_bytes(bytes) ^ 0x3030_3030_3030_3030
    };
    let (lo, hi) = (read(p), read(p + 8));
    // Digits at 0, 2..=8 and 11..=13; `.` at 1, `e` at 9, a sign at 10.
    // All checks are folded into one branch.
    const LO_DIGITS: u64 = 0x8080_8080_8080_0080; // bytes 0 and 2..=7
    const HI_DIGITS: u64 = 0x0000_8080_8000_0080; // bytes 8 and 11..=13
    let non_digit = |x: u64| x.wrapping_add(0x7676_7676_7676_7676) | x;
    let sign = (hi >> 16) as u8;
    let shape_ok = (non_digit(lo) & LO_DIGITS) | (non_digit(hi) & HI_DIGITS) == 0
        && (lo >> 8) as u8 == b'.' ^ b'0'
        && ((hi >> 8) as u8 | 0x20) == b'e' ^ b'0' | 0x20
        && (sign == b'+' ^ b'0' || sign == b'-' ^ b'0');
    if !shape_ok {
        return None;
    }
    // The eight significant digits (bytes 0, 2..=8) side by side, first digit
    // in the lowest byte, then combined pairwise (SWAR).
    let mantissa = swar_eight(((lo >> 16) << 8) | (lo & 0xFF) | ((hi & 0xFF) << 56));
    let e = (((hi >> 24) & 0xFF) * 100 + ((hi >> 32) & 0xFF) * 10 + ((hi >> 40) & 0xFF)) as i32;
    let exponent = if sign == b'-' ^ b'0' { -e } else { e } - 7;
    let end = p + 14;
    // A digit right after would make the exponent longer than the shape's.
    if text[end].is_ascii_digit() {
        return None;
    }
    let value = scale(mantissa, exponent, text, p, end)?;
    // `value` is non-negative here; the sign is one bit.
    Some((
        f32::from_bits(value.to_bits() | (negative as u32) << 31),
        end,
    ))
}

/// The f32 of `mantissa · 10^exponent` read from `text[start..end]` (whose
/// sign the caller applies): the fast product where its rounding is certain,
/// the exact parser where it is not.
#[inline(always)]
fn scale(mantissa: u64, exponent: i32, text: &[u8], start: usize, end: usize) -> Option<f32> {
    if mantissa == 0 {
        Some(0.0)
    } else if (-64..=64).contains(&exponent) {
        let approx = mantissa as i64 as f64 * POW10[(exponent + 64) as usize];
        let bits = approx.to_bits();
        // Within 8 ulps of an f32 rounding midpoint (low 29 bits 1 << 28)?
        let near_midpoint = (bits.wrapping_sub(0x1000_0000 - 8) & 0x1FFF_FFFF) <= 16;
        // Below f32's normal range (2^-126), where it rounds differently?
        let subnormal = bits < 0x3810_0000_0000_0000;
        if near_midpoint | subnormal {
            slow(text, start, end)
        } else {
            Some(approx as f32)
        }
    } else {
        slow(text, start, end)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod print_avx2;
#[cfg(target_arch = "x86_64")]
mod x86;

/// Whether the CPU has what `avx2::parse_vector_avx2` is compiled for.
#[cfg(target_arch = "x86_64")]
fn has_avx2_driver_features() -> bool {
    std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi1")
        && std::is_x86_feature_detected!("bmi2")
        && std::is_x86_feature_detected!("sse4.1")
        && std::is_x86_feature_detected!("ssse3")
}

/// One JSON number starting at `start`: its f32 value and the index after it.
#[inline]
fn parse_number(text: &[u8], start: usize) -> Option<(f32, usize)> {
    let mut i = start;
    let negative = text.get(i) == Some(&b'-');
    if negative {
        i += 1;
    }
    let mut mantissa: u64 = 0;
    let mut kept = 0usize;
    let int_start = i;
    let (int_len, int_dropped) = scan_digits(text, &mut i, &mut mantissa, &mut kept);
    if int_len == 0 || (int_len > 1 && text[int_start] == b'0') {
        return None;
    }
    let mut exponent = int_dropped as i32;
    let mut exact = int_dropped == 0;
    if text.get(i) == Some(&b'.') {
        i += 1;
        let before = kept;
        let (frac_len, frac_dropped) = scan_digits(text, &mut i, &mut mantissa, &mut kept);
        if frac_len == 0 {
            return None;
        }
        exponent -= (kept - before) as i32;
        exact &= frac_dropped == 0;
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match text.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut e: u64 = 0;
        let mut e_kept = 0;
        let (e_len, e_dropped) = scan_digits(text, &mut i, &mut e, &mut e_kept);
        if e_len == 0 {
            return None;
        }
        // A huge exponent saturates; the value then over- or underflows.
        let e = if e_dropped > 0 || e > i32::MAX as u64 {
            i32::MAX
        } else {
            e as i32
        };
        exponent = exponent.saturating_add(if exp_negative { -e } else { e });
    }
    let value = if mantissa == 0 {
        0.0
    } else if exact && mantissa < (1 << 53) && (-64..=64).contains(&exponent) {
        let approx = mantissa as i64 as f64 * POW10[(exponent + 64) as usize];
        // f32 rounding midpoints have their 29 low f64 mantissa bits equal to
        // 1 << 28; within 8 ulps of one, or below f32's normal range, the
        // rounding is not certain.
        let low = approx.to_bits() & 0x1FFF_FFFF;
        if low.abs_diff(0x1000_0000) <= 8 || approx < f32::MIN_POSITIVE as f64 {
            slow(text, start, i)?
        } else {
            approx as f32
        }
    } else {
        slow(text, start, i)?
    };
    Some((if negative { -value.abs() } else { value }, i))
}

/// The standard library's exact parser, for the rare numbers the fast path
/// cannot round correctly.
#[cold]
fn slow(text: &[u8], start: usize, end: usize) -> Option<f32> {
    let s = std::str::from_utf8(&text[start..end]).ok()?;
    s.parse::<f32>().ok().map(f32::abs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `%.7e` with a signed three-digit exponent, as SQL Server writes vectors.
    fn sql_server_style(v: &[f32]) -> String {
        let parts: Vec<String> = v
            .iter()
            .map(|x| {
                let s = format!("{x:.7e}");
                let (m, e) = s.split_once('e').unwrap();
                let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                format!("{m}e{sign}{digits:0>3}")
            })
            .collect();
        format!("[{}]", parts.join(","))
    }

    #[test]
    fn parses_sql_server_and_plain_json_forms() {
        assert_eq!(
            parse_vector(b"[1.0000000e+000,-2.5000000e-003,3.0000000e+002]").unwrap(),
            vec![1.0, -0.0025, 300.0]
        );
        assert_eq!(
            parse_vector(b" [ 0.1 , -2.5e-3,1E2,0,-0 ] ").unwrap(),
            vec![0.1, -0.0025, 100.0, 0.0, -0.0]
        );
        assert!(parse_vector(b"[-0]").unwrap()[0].is_sign_negative());
        assert_eq!(parse_vector(b"[]").unwrap(), Vec::<f32>::new());
        assert_eq!(
            parse_vector(b"[123456789012345678901234567890]").unwrap(),
            vec![1.2345679e29]
        );
        assert_eq!(
            parse_vector(b"[1e-50, 1e50]").unwrap(),
            vec![0.0, f32::INFINITY]
        );
    }

    #[test]
    fn rejects_malformed_text_with_the_position() {
        for (text, at, expected) in [
            (&b"1,2"[..], 0, "`[`"),
            (b"[1,,2]", 3, "a number"),
            (b"[1 2]", 3, "`,` or `]`"),
            (b"[1,2", 4, "`,` or `]`"),
            (b"[01]", 1, "a number"),
            (b"[1.]", 1, "a number"),
            (b"[1e]", 1, "a number"),
            (b"[.5]", 1, "a number"),
            (b"[1] x", 4, "the end of the text"),
            (b"[NaN]", 1, "a number"),
        ] {
            let e = parse_vector(text).unwrap_err();
            assert_eq!(
                (e.at, e.expected),
                (at, expected),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(
            parse_vector(b"[x]").unwrap_err().to_string(),
            "invalid JSON vector at byte 1: expected a number"
        );
    }

    #[test]
    fn midpoints_round_to_even_like_the_standard_parser() {
        // 2^24 + 1 lies exactly between two f32 values.
        for text in [
            "16777217",
            "16777219",
            "3.4028235677973366e38",
            "1.00000005960464477539",
        ] {
            let ours = parse_vector(format!("[{text}]").as_bytes()).unwrap()[0];
            assert_eq!(
                ours.to_bits(),
                text.parse::<f32>().unwrap().to_bits(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_longer_exponent_is_not_cut_at_the_shape() {
        // Valid JSON whose first 14 or 15 bytes look like a fixed shape.
        for (text, first) in [
            (&b"[1.2345678e-0031]"[..], "1.2345678e-0031"),
            (b"[1.23456789e-0031,2]", "1.23456789e-0031"),
        ] {
            let expected = first.parse::<f32>().unwrap();
            for (name, driver) in drivers() {
                let parsed = driver(text).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(parsed[0].to_bits(), expected.to_bits(), "{name}");
            }
        }
    }

    #[test]
    fn every_implementation_agrees() {
        let text = b"[1.2345678e-003,-9.8765432E+002,5.0000000e-045,3.4028235e+038,3.4028236e+038,1.0000000e+000]";
        let portable = parse_with(text, sql_server_number).unwrap();
        let fallback = parse_with(text, |_, _| None).unwrap();
        assert_eq!(portable, fallback);
        assert_eq!(parse_vector(text).unwrap(), portable);
        assert_eq!(portable[2], 5e-45, "subnormal, through the exact parser");
        assert_eq!(portable[4], f32::INFINITY, "rounds past f32::MAX");
    }

    #[test]
    fn sql_server_shape_is_read_from_fixed_offsets() {
        let text = b"[1.2345678e-003,-9.8765432e+002,0.0000000e+000,-0.0000000e+000]";
        let (v, end) = sql_server_number(text, 1).unwrap();
        assert_eq!((v, end), (1.2345678e-3, 15));
        let minus_987 = "-987.65432".parse::<f32>().unwrap();
        assert_eq!(sql_server_number(text, 16).unwrap(), (minus_987, 31));
        assert_eq!(
            parse_vector(text).unwrap(),
            vec![1.2345678e-3, minus_987, 0.0, -0.0]
        );
        // Other shapes fall back to the general parser.
        assert_eq!(sql_server_number(b"[1.5e-3,0000000000000000]", 1), None);
        assert_eq!(sql_server_number(b"[1.2345678x-003,00000000]", 1), None);
        assert_eq!(sql_server_number(b"[1.2345678e-0a3,00000000]", 1), None);
    }

    #[test]
    fn swar_digit_runs_match_byte_by_byte() {
        for text in [
            "12345678",
            "1234567e",
            "0000000x",
            "9]",
            "x1234567",
            "98765432101",
            "00012345",
        ] {
            let padded = format!("{text}########");
            let bytes = padded.as_bytes();
            let (value, n) = digit_run(bytes, 0).unwrap();
            let expected_n = text.bytes().take(8).take_while(u8::is_ascii_digit).count();
            assert_eq!(n, expected_n, "{text}");
            let expected: u64 = if n == 0 {
                0
            } else {
                text[..n].parse().unwrap()
            };
            assert_eq!(value, expected, "{text}");
        }
        assert_eq!(digit_run(b"1234567", 0), None, "fewer than 8 bytes");
    }

    type Driver = fn(&[u8]) -> Result<Vec<f32>, JsonVectorError>;

    /// Every parse driver this CPU can run, by name.
    fn drivers() -> Vec<(&'static str, Driver)> {
        #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
        let mut all: Vec<(&'static str, Driver)> = vec![
            ("portable", |t| parse_with(t, sql_server_number)),
            ("general", |t| parse_with(t, |_, _| None)),
        ];
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("sse4.1") && std::is_x86_feature_detected!("ssse3") {
            // SAFETY (both): the CPU has the features checked here.
            all.push(("sse4.1", |t| unsafe { x86::parse_vector_sse41(t) }));
            if has_avx2_driver_features() {
                all.push(("avx2", |t| unsafe { avx2::parse_vector_avx2(t) }));
            }
        }
        all
    }

    /// One element written in one of the forms a VECTOR's text takes.
    fn element_text(x: f32, form: u8) -> String {
        match form % 4 {
            0 => sql_server_style(&[x]).trim_matches(['[', ']']).to_string(),
            1 => print_vector(&[x])
                .unwrap()
                .trim_matches(['[', ']'])
                .to_string(),
            2 => format!("{x:?}"),
            _ => format!(" {x:e} "),
        }
    }

    proptest! {
        /// Elements of every shape mixed in one text (so the batched driver
        /// flushes in the middle of its batches): every driver gives the
        /// standard library's value for each, bit for bit.
        #[test]
        fn every_driver_reads_mixed_shapes_exactly(
            elements in prop::collection::vec(
                (any::<u32>().prop_map(f32::from_bits).prop_filter("finite", |x| x.is_finite()), 0u8..16),
                0..300,
            ),
        ) {
            let parts: Vec<String> = elements.iter().map(|(x, form)| element_text(*x, if *form < 10 { 1 } else { *form })).collect();
            let text = format!("[{}]", parts.join(","));
            for (name, driver) in drivers() {
                let parsed = driver(text.as_bytes()).unwrap();
                prop_assert_eq!(parsed.len(), parts.len(), "{}", name);
                for (value, part) in parsed.iter().zip(&parts) {
                    prop_assert_eq!(value.to_bits(), part.trim().parse::<f32>().unwrap().to_bits(), "{} read {}", name, part);
                }
            }
        }

        /// Damaged text: every driver refuses it at the same byte, or all
        /// read the same values.
        #[test]
        fn every_driver_agrees_on_damaged_text(
            values in prop::collection::vec(-1e6f32..1e6, 1..120),
            at in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"0123456789.eE+-, []x".to_vec()),
        ) {
            let mut text = print_vector(&values).unwrap().into_bytes();
            let i = at.index(text.len());
            text[i] = byte;
            let results: Vec<(&str, Result<Vec<u32>, JsonVectorError>)> = drivers()
                .into_iter()
                .map(|(name, driver)| (name, driver(&text).map(|v| v.iter().map(|x| x.to_bits()).collect())))
                .collect();
            for (name, result) in &results[1..] {
                prop_assert_eq!(result, &results[0].1, "{} against {}", name, results[0].0);
            }
        }

        #[test]
        fn exact_for_any_f32_in_sql_server_form(v in prop::collection::vec(any::<f32>().prop_filter("finite", |x| x.is_finite()), 0..64)) {
            let text = sql_server_style(&v);
            let parsed = parse_vector(text.as_bytes()).unwrap();
            // The portable fixed-shape reader and the general parser agree bit for bit.
            let portable = parse_with(text.as_bytes(), sql_server_number).unwrap();
            let general = parse_with(text.as_bytes(), |_, _| None).unwrap();
            prop_assert_eq!(parsed.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), portable.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            prop_assert_eq!(portable.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), general.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            prop_assert_eq!(parsed.len(), v.len());
            for (p, t) in parsed.iter().zip(text.trim_matches(['[', ']']).split(',')) {
                prop_assert_eq!(p.to_bits(), t.parse::<f32>().unwrap().to_bits(), "{}", t);
            }
        }

        #[test]
        fn shortest_form_round_trips(v in prop::collection::vec(any::<f32>().prop_filter("finite", |x| x.is_finite()), 0..64)) {
            let text = format!("[{}]", v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(","));
            let parsed = parse_vector(text.as_bytes()).unwrap();
            prop_assert_eq!(parsed.len(), v.len());
            for (a, b) in parsed.iter().zip(&v) {
                prop_assert_eq!(a.to_bits(), b.to_bits());
            }
        }

        #[test]
        fn agrees_with_std_on_arbitrary_decimals(m in 0u64..100_000_000_000_000_000, e in -60i32..60, neg in any::<bool>()) {
            let text = format!("{}{}e{}", if neg { "-" } else { "" }, m, e);
            let ours = parse_vector(format!("[{text}]").as_bytes()).unwrap()[0];
            prop_assert_eq!(ours.to_bits(), text.parse::<f32>().unwrap().to_bits(), "{}", text);
        }
    }
}
