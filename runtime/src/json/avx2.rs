//! The AVX2 parse driver: four elements per step, read side by side.
//!
//! Reading elements one after another chains each element's reads to the
//! one before: where the next element starts depends on this one's length.
//! In the fixed shapes (SQL Server's `-?d.ddddddde±ddd,` and the printer's
//! `-?d.dddddddde±ddd,`) that length depends only on the minus sign, so one
//! comparison of the next 64 bytes with `-` gives every sign in them, and
//! the four elements' positions follow by a few register operations. Each
//! element is then one 16-byte window from its first digit through its
//! comma; two windows per 256-bit register are checked byte by byte, their
//! digits gathered and combined, the four elements transposed into lanes
//! and scaled together (`scale4`).
//!
//! A group with anything else (whitespace, other number forms, the closing
//! bracket, damage) is read one element at a time by the reader the other
//! drivers use, which gives the same values and the same errors.

use super::x86::fixed_element;
use super::{JsonVectorError, POW10, element_at, next_element, open_array, slow};
use std::arch::x86_64::*;

/// A fixed shape seen through the 16 bytes from its first digit, as the
/// constants its reader needs (each 16-byte row serves both halves of a
/// 256-bit register).
struct Window {
    /// OR-ed in first: 0x20 at the `e` folds `E` into it.
    fold: [u8; 16],
    /// Each byte's allowed range, `low..=low + span`. Less `low`, a digit
    /// is its value and the exponent's sign 0 for `+`, 2 for `-` (and 1 for
    /// `,`, which is refused after the digits are combined).
    low: [u8; 16],
    span: [u8; 16],
    /// Digits to [4 mantissa digits | 4 more | 0 e e e | sign, ninth digit].
    gather: [u8; 16],
    /// Weights pairing digits, then pairs into quads; the last quad is
    /// the exponent's sign (0 or 2) + 256 · ninth digit.
    pair: [u8; 16],
    quad: [i16; 8],
    /// From one element's start to the next's, without a minus sign.
    stride: u32,
    /// −7 or −8: the decimal point after the first of 8 or 9 digits.
    exponent_bias: i32,
}

const D: u8 = b'0';
const Z: u8 = 0x80; // a shuffle index that yields 0

/// `d.ddddddde±ddd,` (SQL Server's `%.7e`) and one byte of the next element.
static EIGHT_DIGITS: Window = Window {
    fold: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0],
    low: [D, b'.', D, D, D, D, D, D, D, b'e', b'+', D, D, D, b',', 0],
    span: [9, 0, 9, 9, 9, 9, 9, 9, 9, 0, 2, 9, 9, 9, 0, 0xFF],
    gather: [0, 2, 3, 4, 5, 6, 7, 8, Z, 11, 12, 13, 10, Z, Z, Z],
    pair: [10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 1, 0, 1, 0],
    quad: [100, 1, 100, 1, 100, 1, 1, 256],
    stride: 15,
    exponent_bias: -7,
};

/// `d.dddddddde±ddd,` (`print_vector`'s nine digits).
static NINE_DIGITS: Window = Window {
    fold: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0],
    low: [D, b'.', D, D, D, D, D, D, D, D, b'e', b'+', D, D, D, b','],
    span: [9, 0, 9, 9, 9, 9, 9, 9, 9, 9, 0, 2, 9, 9, 9, 0],
    gather: [0, 2, 3, 4, 5, 6, 7, 8, Z, 12, 13, 14, 11, Z, 9, Z],
    pair: [10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 1, 0, 1, 0],
    quad: [100, 1, 100, 1, 100, 1, 1, 256],
    stride: 16,
    exponent_bias: -8,
};

/// Bytes a group may look at from its start: the signs of 64 bytes, and
/// the last window, which starts at most 3 · 17 + 1 bytes in.
const GROUP_REACH: usize = 68;

/// For each set of four minus signs (bit k for element k), the f32 sign
/// bits of the four lanes.
static SIGN_BITS: [[u32; 4]; 16] = {
    let mut table = [[0; 4]; 16];
    let mut signs = 0;
    while signs < 16 {
        let mut lane = 0;
        while lane < 4 {
            table[signs][lane] = ((signs >> lane & 1) as u32) << 31;
            lane += 1;
        }
        signs += 1;
    }
    table
};

/// A 16-byte row in both halves of a 256-bit register.
#[target_feature(enable = "avx2")]
#[inline]
fn both_halves<T>(row: &[T]) -> __m256i {
    assert_eq!(std::mem::size_of_val(row), 16, "a 16-byte row");
    // SAFETY: 16 readable bytes.
    _mm256_broadcastsi128_si256(unsafe { _mm_loadu_si128(row.as_ptr() as *const __m128i) })
}

/// Bit k set where `text[start + k]` is `-`, for k < 64.
///
/// # Safety
/// `start + 64 <= text.len()`.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn minus_signs(text: &[u8], start: usize) -> u64 {
    let minus = _mm256_set1_epi8(b'-' as i8);
    // SAFETY: the caller guarantees 64 readable bytes at `start`.
    let (low, high) = unsafe {
        let at = text.as_ptr().add(start);
        (
            _mm256_loadu_si256(at as *const __m256i),
            _mm256_loadu_si256(at.add(32) as *const __m256i),
        )
    };
    let low = _mm256_movemask_epi8(_mm256_cmpeq_epi8(low, minus)) as u32 as u64;
    let high = _mm256_movemask_epi8(_mm256_cmpeq_epi8(high, minus)) as u32 as u64;
    low | high << 32
}

/// The four elements from `start` read as the nine-digit shape (`NINE`) or
/// SQL Server's into `out[0..4]`: the start of the element after them, or
/// `None` (with `out` partly written) when any is not exactly that shape
/// followed by a comma. `minus` is `minus_signs(text, start)`.
///
/// # Safety
/// `out` has room for four floats; `start + GROUP_REACH <= text.len()`.
#[target_feature(enable = "avx2,bmi1,bmi2,sse4.1,ssse3")]
#[inline]
unsafe fn read_group<const NINE: bool>(
    text: &[u8],
    start: usize,
    minus: u64,
    out: *mut f32,
) -> Option<usize> {
    let window = if NINE { &NINE_DIGITS } else { &EIGHT_DIGITS };
    // Element k starts at offset r[k] (its sign, if any) and its digits at
    // r[k] + sign[k].
    let sign0 = minus & 1;
    let r1 = window.stride as u64 + sign0;
    let sign1 = minus >> r1 & 1;
    let r2 = r1 + window.stride as u64 + sign1;
    let sign2 = minus >> r2 & 1;
    let r3 = r2 + window.stride as u64 + sign2;
    let sign3 = minus >> r3 & 1;
    let next = r3 + window.stride as u64 + sign3;
    // SAFETY: every window starts at most 52 bytes in, and the caller
    // guarantees GROUP_REACH = 68 readable bytes.
    let at = |offset: u64| unsafe { text.as_ptr().add(start + offset as usize) as *const __m128i };
    let (w01, w23) = unsafe {
        (
            _mm256_loadu2_m128i(at(r1 + sign1), at(sign0)),
            _mm256_loadu2_m128i(at(r3 + sign3), at(r2 + sign2)),
        )
    };
    let (fold, low, span) = (
        both_halves(&window.fold),
        both_halves(&window.low),
        both_halves(&window.span),
    );
    // Each byte less its shape's lowest; whatever lies beyond the span
    // survives the saturating subtraction.
    let relative = |w: __m256i| _mm256_sub_epi8(_mm256_or_si256(w, fold), low);
    let (x01, x23) = (relative(w01), relative(w23));
    let beyond = _mm256_or_si256(_mm256_subs_epu8(x01, span), _mm256_subs_epu8(x23, span));
    if _mm256_testz_si256(beyond, beyond) == 0 {
        return None;
    }
    let (gather, pair, quad) = (
        both_halves(&window.gather),
        both_halves(&window.pair),
        both_halves(&window.quad),
    );
    let quads = |x: __m256i| {
        _mm256_madd_epi16(
            _mm256_maddubs_epi16(_mm256_shuffle_epi8(x, gather), pair),
            quad,
        )
    };
    // [a b e x] per element, elements 0 | 1 and 2 | 3 in the halves; as
    // 16-bit numbers, [a b e x] of elements 0, 2 | 1, 3.
    let (q01, q23) = (quads(x01), quads(x23));
    let packed = _mm256_packus_epi32(q01, q23);
    // [a·10⁴ + b, e] and [0, x] per element.
    let mut mantissa_exponent =
        _mm256_madd_epi16(packed, _mm256_set1_epi64x(10_000 | 1 << 16 | 1 << 32));
    let x = _mm256_madd_epi16(packed, _mm256_set1_epi64x(1 << 48));
    let exponent_sign = if NINE {
        // x is the sign + 256 · the ninth digit: the mantissa takes that
        // digit as its last.
        let ninth = _mm256_srli_epi64::<40>(x);
        mantissa_exponent = _mm256_add_epi32(
            _mm256_mullo_epi32(mantissa_exponent, _mm256_set1_epi64x(10 | 1 << 32)),
            ninth,
        );
        _mm256_and_si256(x, _mm256_set1_epi64x(0xFF << 32))
    } else {
        x
    };
    // [1, 1] less [0, sign]: 1 for `+`, −1 for `-`, 0 for a comma (refused:
    // it ends the element).
    let multiplier = _mm256_sub_epi32(_mm256_set1_epi32(1), exponent_sign);
    let comma = _mm256_cmpeq_epi32(multiplier, _mm256_setzero_si256());
    if _mm256_movemask_epi8(comma) != 0 {
        return None;
    }
    // Mantissas of elements 0..4, then their exponents.
    let lanes = _mm256_permutevar8x32_epi32(
        _mm256_sign_epi32(mantissa_exponent, multiplier),
        _mm256_setr_epi32(0, 4, 2, 6, 1, 5, 3, 7),
    );
    let mantissa = _mm256_castsi256_si128(lanes);
    let exponent = _mm_add_epi32(
        _mm256_extracti128_si256::<1>(lanes),
        _mm_set1_epi32(window.exponent_bias),
    );
    let signs = (sign0 | sign1 << 1 | sign2 << 2 | sign3 << 3) as usize;
    // SAFETY: 16 readable bytes per row.
    let sign_bits = unsafe { _mm_loadu_si128(SIGN_BITS[signs].as_ptr() as *const __m128i) };
    // SAFETY: the caller gives room for four floats.
    let redo = unsafe { scale4(mantissa, exponent, sign_bits, out) };
    if redo != 0 {
        let offsets = [sign0, r1 + sign1, r2 + sign2, r3 + sign3];
        for (lane, offset) in offsets.into_iter().enumerate() {
            if redo >> lane & 1 == 1 {
                let digits = start + offset as usize;
                let end = digits + window.stride as usize - 1;
                let value = slow(text, digits, end)?;
                let bits = value.to_bits() | SIGN_BITS[signs][lane];
                // SAFETY: lane < 4.
                unsafe { out.add(lane).write(f32::from_bits(bits)) };
            }
        }
    }
    Some(start + next as usize)
}

/// Reads groups of one shape from the element at `i` on, while they come:
/// where the next element starts and how many elements `out` then holds.
/// One loop per shape, so its constants stay in registers.
///
/// # Safety
/// `out` has room for `capacity` floats.
#[target_feature(enable = "avx2,bmi1,bmi2,sse4.1,ssse3")]
unsafe fn read_groups<const NINE: bool>(
    text: &[u8],
    mut i: usize,
    out: *mut f32,
    mut n: usize,
    capacity: usize,
) -> (usize, usize) {
    // SAFETY: room for four floats from n; GROUP_REACH bytes from i.
    while i + GROUP_REACH <= text.len() && n + 4 <= capacity {
        let minus = unsafe { minus_signs(text, i) };
        match unsafe { read_group::<NINE>(text, i, minus, out.add(n)) } {
            Some(next) => {
                i = next;
                n += 4;
            }
            None => break,
        }
    }
    (i, n)
}

/// Parses `[n, n, ...]` as `super::parse_vector` does.
#[target_feature(enable = "avx2,bmi1,bmi2,sse4.1,ssse3")]
pub(super) fn parse_vector_avx2(text: &[u8]) -> Result<Vec<f32>, JsonVectorError> {
    let Some(mut i) = open_array(text)? else {
        return Ok(Vec::new());
    };
    // Every element takes at least two bytes (a digit and a delimiter), so
    // this many always suffice. Not zeroed: every element is written before
    // `set_len` covers it.
    let mut out: Vec<f32> = Vec::with_capacity(text.len() / 2 + 1);
    let capacity = out.capacity();
    let mut n = 0usize;
    loop {
        // A text comes in one shape: whichever it is reads it to the end
        // (or to its last few elements, which are too close to the end).
        // SAFETY: `out` has room for `capacity` floats.
        (i, n) = unsafe { read_groups::<false>(text, i, out.as_mut_ptr(), n, capacity) };
        (i, n) = unsafe { read_groups::<true>(text, i, out.as_mut_ptr(), n, capacity) };
        // Then a group's worth one at a time, with the same values and
        // errors as the other drivers.
        for _ in 0..4 {
            let (value, end) = element_at(text, i, |t, i| fixed_element(t, i))?;
            assert!(n < capacity, "two bytes per element");
            out.spare_capacity_mut()[n].write(value);
            n += 1;
            match next_element(text, end)? {
                Some(next) => i = next,
                None => {
                    // SAFETY: elements 0..n were each written once.
                    unsafe { out.set_len(n) };
                    return Ok(out);
                }
            }
        }
    }
}

/// Four decimals `mantissa · 10^exponent` (mantissa below 2³¹) to f32 at
/// `out`, with `sign_bits` OR-ed in. Returns a mask of the lanes whose
/// rounding is not certain (within 8 f64 ulps of an f32 rounding midpoint,
/// or below f32's normal range, as in `scale`), which the caller redoes
/// exactly.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn scale4(mantissa: __m128i, exponent: __m128i, sign_bits: __m128i, out: *mut f32) -> i32 {
    // Exponents off the table are clamped to its ends, which gives the
    // right f32 all the same: above 10⁶⁴ a non-zero mantissa overflows f32
    // either way (and zero stays zero); below 10⁻⁶⁴ the product is under
    // f32's normal range, so the lane is redone exactly.
    let clamped = _mm_max_epi32(
        _mm_min_epi32(exponent, _mm_set1_epi32(64)),
        _mm_set1_epi32(-64),
    );
    // Four loads rather than a gather, which costs about as many cycles
    // as the rest of this function on AMD's Zen.
    let mut index = [0i32; 4];
    // SAFETY: four writable i32.
    unsafe {
        _mm_storeu_si128(
            index.as_mut_ptr() as *mut __m128i,
            _mm_add_epi32(clamped, _mm_set1_epi32(64)),
        )
    };
    // SAFETY: every index is within 0..=128, POW10's bounds.
    let power = unsafe {
        let at = |k: usize| POW10.as_ptr().add(index[k] as usize);
        let low = _mm_loadh_pd(_mm_load_sd(at(0)), at(1));
        let high = _mm_loadh_pd(_mm_load_sd(at(2)), at(3));
        _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(low), high)
    };
    let approx = _mm256_mul_pd(_mm256_cvtepi32_pd(mantissa), power);
    let bits = _mm256_castpd_si256(approx);
    // A zero mantissa is exact.
    let low = _mm256_and_si256(
        _mm256_sub_epi64(bits, _mm256_set1_epi64x(0x1000_0000 - 8)),
        _mm256_set1_epi64x(0x1FFF_FFFF),
    );
    let near_midpoint = _mm256_cmpgt_epi64(_mm256_set1_epi64x(17), low);
    let subnormal = _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3810_0000_0000_0000), bits);
    let zero = _mm256_cmpeq_epi64(bits, _mm256_setzero_si256());
    let uncertain = _mm256_andnot_si256(zero, _mm256_or_si256(near_midpoint, subnormal));
    let values = _mm_or_si128(_mm_castps_si128(_mm256_cvtpd_ps(approx)), sign_bits);
    // SAFETY: the caller gives four writable floats at `out`.
    unsafe { _mm_storeu_si128(out as *mut __m128i, values) };
    _mm256_movemask_pd(_mm256_castsi256_pd(uncertain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supported() -> bool {
        super::super::has_avx2_driver_features()
    }

    #[test]
    fn a_group_of_either_shape_is_read_in_one_step() {
        if !supported() {
            eprintln!("SKIPPED: the CPU lacks AVX2, BMI1, BMI2, SSE4.1 or SSSE3");
            return;
        }
        let pad = "0".repeat(GROUP_REACH);
        let sql = format!("1.0000000e+000,-2.5000000e-003,3.0000000E+002,-4.4000000e-044,5{pad}");
        let nine =
            format!("1.00000000e+000,-2.50000000e-003,3.00000000e+002,-4.40000000e-044,5{pad}");
        let expected = [1.0f32, -2.5e-3, 300.0, "-4.4e-44".parse().unwrap()];
        for (text, is_nine) in [(sql, false), (nine, true)] {
            let text = text.as_bytes();
            let mut out = [0f32; 4];
            let read = |nine: bool, out: &mut [f32; 4]| {
                // SAFETY: the CPU has the features; room for four floats and
                // GROUP_REACH bytes.
                unsafe {
                    let minus = minus_signs(text, 0);
                    if nine {
                        read_group::<true>(text, 0, minus, out.as_mut_ptr())
                    } else {
                        read_group::<false>(text, 0, minus, out.as_mut_ptr())
                    }
                }
            };
            let next = read(is_nine, &mut out).expect("the group's shape");
            assert_eq!(text[next], b'5', "the next element's start");
            // The subnormal −4.4e-44 went the exact way.
            assert_eq!(out.map(f32::to_bits), expected.map(f32::to_bits));
            assert_eq!(read(!is_nine, &mut out), None, "the other shape");
        }
    }

    #[test]
    fn a_group_with_anything_else_is_left_to_the_one_at_a_time_reader() {
        if !supported() {
            eprintln!("SKIPPED: the CPU lacks AVX2, BMI1, BMI2, SSE4.1 or SSSE3");
            return;
        }
        let pad = "0".repeat(GROUP_REACH);
        for damaged in [
            "1.0000000e+000,2.0000000e+000,3.0000000e+0x0,4.0000000e+000,",
            "1.0000000e+000, 2.0000000e+000,3.0000000e+000,4.0000000e+000,",
            "1.0000000e+000,+2.0000000e+000,3.0000000e+000,4.0000000e+000,",
            "1.0000000e+000,2.0000000e,000,3.0000000e+000,4.0000000e+000,",
            "1.0000000e+000,2.0000000e+000,3.0000000e+000,4.0000000e+000]",
            "1.0000000e+000,2.0000000e+000,3.0000000e+000,4.0000000e+0000",
            "1.0000000e+000,--2.000000e+000,3.0000000e+000,4.0000000e+000,",
        ] {
            let text = format!("{damaged}{pad}");
            let mut out = [0f32; 4];
            // SAFETY: as above.
            let read = unsafe {
                let minus = minus_signs(text.as_bytes(), 0);
                read_group::<false>(text.as_bytes(), 0, minus, out.as_mut_ptr())
            };
            assert_eq!(read, None, "{damaged}");
        }
    }
}
