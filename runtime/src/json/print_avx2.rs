//! `print_vector` with AVX2, four elements per step and nothing done one
//! element at a time but the stores.
//!
//! Per group: the nine digits and exponent of each element (`digits4`);
//! the last eight digits as ASCII in one register (splits by 10⁸ and 10⁴ by
//! multiply-shift in 64-bit lanes, then by 100 and 10 in 16-bit lanes); the
//! other eight bytes an element needs (first digit, `e`, exponent sign and
//! digits, `.`, `-`) in another, from a table by exponent; then each
//! element's text by one byte shuffle whose pattern is chosen by the four
//! signs, two elements per 256-bit register.

use super::POW10;
use super::print::{ELEMENT, EXPONENT_TEXT, nine_digits};
use std::arch::x86_64::*;

/// The nine significant digits (10⁸..10⁹, or 0 for zero) and decimal
/// exponents of four finite f32, as `print::nine_digits` gives them: the
/// exponent estimated from the binary one, the value scaled by the power of
/// ten that estimate asks for and corrected when the estimate was one
/// short, then rounded to nine digits; lanes within 10⁻⁶ of a rounding tie,
/// and zeros, are redone by the scalar code.
#[target_feature(enable = "avx2")]
#[inline]
fn digits4(x: __m128) -> (__m128i, __m128i) {
    let x = _mm_andnot_ps(_mm_set1_ps(-0.0), x);
    let zero = _mm_movemask_ps(_mm_cmpeq_ps(x, _mm_setzero_ps()));
    let a = _mm256_cvtps_pd(x);
    // ⌊b·log₁₀ 2⌋ as ((b + 2¹⁸)·78913 >> 18) − 78913, kept non-negative for
    // the unsigned multiply and shift.
    let binary = _mm256_sub_epi64(
        _mm256_srli_epi64::<52>(_mm256_castpd_si256(a)),
        _mm256_set1_epi64x(1023 - (1 << 18)),
    );
    let mut exponent = _mm256_sub_epi64(
        _mm256_srli_epi64::<18>(_mm256_mul_epu32(binary, _mm256_set1_epi64x(78913))),
        _mm256_set1_epi64x(78913),
    );
    if zero != 0 {
        // A zero's estimate is off the table: give it 1's; the scalar code
        // writes its digits below.
        exponent = _mm256_blendv_epi8(
            exponent,
            _mm256_setzero_si256(),
            _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_EQ_OQ>(a, _mm256_setzero_pd())),
        );
    }
    // Four loads rather than a gather, which costs about as much as the
    // rest of this function on AMD's Zen.
    let mut index = [0i64; 4];
    // SAFETY: four writable i64.
    unsafe {
        _mm256_storeu_si256(
            index.as_mut_ptr() as *mut __m256i,
            _mm256_sub_epi64(_mm256_set1_epi64x(72), exponent),
        )
    };
    // SAFETY: every index is within 0..=128 for finite f32 (exponents
    // −45..=38), which the caller guarantees.
    let scale = unsafe {
        let at = |k: usize| POW10.as_ptr().add(index[k] as usize);
        let low = _mm_loadh_pd(_mm_load_sd(at(0)), at(1));
        let high = _mm_loadh_pd(_mm_load_sd(at(2)), at(3));
        _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(low), high)
    };
    // In [10⁸, 10¹⁰): from 10⁹ on the estimate was one short, and a tenth
    // of it is the value. The extra rounding of that multiply stays far
    // inside the tie margin below.
    let v = _mm256_mul_pd(a, scale);
    let short = _mm256_cmp_pd::<_CMP_GE_OQ>(v, _mm256_set1_pd(1e9));
    let v = _mm256_blendv_pd(v, _mm256_mul_pd(v, _mm256_set1_pd(0.1)), short);
    // Subtracting the all-ones mask adds one.
    exponent = _mm256_sub_epi64(exponent, _mm256_castpd_si256(short));
    let nearest = _mm256_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
    let rounded = _mm256_cvttpd_epi32(nearest);
    // Within 10⁻⁶ of a tie (a distance of ½ to the nearest integer), the
    // product's few roundings could have decided the digit wrongly.
    let near_tie = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(
        _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(v, nearest)),
        _mm256_set1_pd(0.5 - 1e-6),
    ));
    // 999,999,999.5 and up rounded to 10⁹: 1.00000000 at the next exponent.
    let carry = _mm_cmpgt_epi32(rounded, _mm_set1_epi32(999_999_999));
    let mut rounded = _mm_blendv_epi8(rounded, _mm_set1_epi32(100_000_000), carry);
    let exponent = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(
        exponent,
        _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6),
    ));
    let mut exponent = _mm_sub_epi32(exponent, carry);
    let redo = near_tie | zero;
    if redo != 0 {
        (rounded, exponent) = redo_lanes(x, rounded, exponent, redo);
    }
    (rounded, exponent)
}

/// `digits4`'s lanes in `redo` (bit k for lane k) by the scalar code: kept
/// out of line, as it is rare (zeros, and about one value in 10⁵ near a tie).
#[cold]
#[inline(never)]
fn redo_lanes(x: __m128, rounded: __m128i, exponent: __m128i, redo: i32) -> (__m128i, __m128i) {
    let (mut d, mut e, mut lanes) = ([0u32; 4], [0i32; 4], [0f32; 4]);
    // SAFETY: four elements each; SSE2 is part of x86_64.
    unsafe {
        _mm_storeu_si128(d.as_mut_ptr() as *mut __m128i, rounded);
        _mm_storeu_si128(e.as_mut_ptr() as *mut __m128i, exponent);
        _mm_storeu_ps(lanes.as_mut_ptr(), x);
    }
    for lane in 0..4 {
        if redo >> lane & 1 == 1 {
            let a = lanes[lane] as f64;
            (d[lane], e[lane]) = if a == 0.0 { (0, 0) } else { nine_digits(a) };
        }
    }
    // SAFETY: as above.
    unsafe {
        (
            _mm_loadu_si128(d.as_ptr() as *const __m128i),
            _mm_loadu_si128(e.as_ptr() as *const __m128i),
        )
    }
}

/// Each element's text from its 16 source bytes (`[8 digits | first, e,
/// sign, 0, tens, ones, ., -]`): `d.dddddddde±ddd`, with a `-` before it
/// when negative. The byte after a non-negative element's 15 is 0, and is
/// overwritten by its comma.
const fn element_pattern(negative: bool) -> [u8; 16] {
    const Z: u8 = 0x80;
    if negative {
        [15, 8, 14, 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]
    } else {
        [8, 14, 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, Z]
    }
}

/// For each set of four signs (bit k for element k), the shuffle patterns
/// of the registers holding elements 0 | 2 and 1 | 3.
static PATTERNS: [[[u8; 32]; 2]; 16] = {
    let mut table = [[[0; 32]; 2]; 16];
    let mut signs = 0;
    while signs < 16 {
        let mut k = 0;
        while k < 4 {
            let pattern = element_pattern(signs >> k & 1 == 1);
            // Element k sits in register k % 2, half k / 2.
            let mut b = 0;
            while b < 16 {
                table[signs][k % 2][16 * (k / 2) + b] = pattern[b];
                b += 1;
            }
            k += 1;
        }
        signs += 1;
    }
    table
};

/// The last eight of nine digits (`rest` < 10⁸, one per 64-bit lane) as
/// ASCII, the most significant first in each lane's lowest byte.
#[target_feature(enable = "avx2")]
#[inline]
fn eight_digits4(rest: __m256i) -> __m256i {
    // ⌊rest / 10⁴⌋ as rest · ⌈2⁴⁰ / 10⁴⌉ >> 40: exact below 10⁸.
    let high = _mm256_srli_epi64::<40>(_mm256_mul_epu32(rest, _mm256_set1_epi64x(109_951_163)));
    let low = _mm256_sub_epi64(rest, _mm256_mul_epu32(high, _mm256_set1_epi64x(10_000)));
    // 16-bit lanes [high, 0, low, 0] per element, each below 10⁴.
    let v = _mm256_or_si256(high, _mm256_slli_epi64::<32>(low));
    // ⌊v / 100⌋ as (v · 5243) >> 19: exact below 43,699.
    let hundreds = _mm256_srli_epi16::<3>(_mm256_mulhi_epu16(v, _mm256_set1_epi16(5243)));
    let below = _mm256_sub_epi16(v, _mm256_mullo_epi16(hundreds, _mm256_set1_epi16(100)));
    // [hundreds, below] pairs: four 2-digit numbers per element, in order.
    let pairs = _mm256_or_si256(hundreds, _mm256_slli_epi32::<16>(below));
    // ⌊p / 10⌋ as (p · 6554) >> 16: exact below 16,389.
    let tens = _mm256_mulhi_epu16(pairs, _mm256_set1_epi16(6554));
    let ones = _mm256_sub_epi16(pairs, _mm256_mullo_epi16(tens, _mm256_set1_epi16(10)));
    _mm256_add_epi8(
        _mm256_or_si256(tens, _mm256_slli_epi16::<8>(ones)),
        _mm256_set1_epi8(b'0' as i8),
    )
}

/// For each exponent −64..=64, the eight bytes an element needs besides
/// its last eight digits, with the first digit 0: `0`, `e`, the exponent's
/// sign and three digits, `.` and `-`.
static OTHER_BYTES: [u64; 129] = {
    let mut table = [0; 129];
    let mut i = 0;
    while i < 129 {
        table[i] = b'0' as u64 | EXPONENT_TEXT[i] << 8 | (b'.' as u64) << 48 | (b'-' as u64) << 56;
        i += 1;
    }
    table
};

/// The other eight bytes of four elements (one per 64-bit lane), from
/// their first digits and exponents.
#[target_feature(enable = "avx2")]
#[inline]
fn other_bytes4(first: __m256i, exponents: &[i32]) -> __m256i {
    // Finite f32 have exponents −45..=38: within the table.
    let row = |k: usize| OTHER_BYTES[(exponents[k] + 64) as usize] as i64;
    _mm256_add_epi64(_mm256_setr_epi64x(row(0), row(1), row(2), row(3)), first)
}

/// Groups of four per pass (see `print_groups`).
const BLOCK_GROUPS: usize = 16;

/// Writes the text of `values[..4 · (values.len() / 4)]` from `out`, each
/// element followed by a comma: how many bytes were written, or `None` as
/// soon as a block holds NaN or an infinity (the caller reports it).
///
/// Two passes per block of 64 elements: first every group's digits and
/// exponents (a long chain of dependent steps per group, so many groups
/// must be in flight at once), then the text.
///
/// # Safety
/// `out` has room for `ELEMENT + 1` bytes per element.
#[target_feature(enable = "avx2")]
pub(super) unsafe fn print_groups(values: &[f32], out: *mut u8) -> Option<usize> {
    let mut at = 0;
    let mut digits = [_mm_setzero_si128(); BLOCK_GROUPS];
    let mut exponents = [0i32; 4 * BLOCK_GROUPS];
    let groups = values.len() / 4 * 4;
    for block in values[..groups].chunks(4 * BLOCK_GROUPS) {
        for (k, group) in block.chunks_exact(4).enumerate() {
            // SAFETY: four floats.
            let x = unsafe { _mm_loadu_ps(group.as_ptr()) };
            // All exponent bits set: NaN or an infinity.
            let exponent_bits = _mm_and_si128(_mm_castps_si128(x), _mm_set1_epi32(0x7F80_0000));
            if _mm_movemask_epi8(_mm_cmpeq_epi32(exponent_bits, _mm_set1_epi32(0x7F80_0000))) != 0 {
                return None;
            }
            let exponent;
            (digits[k], exponent) = digits4(x);
            // SAFETY: four i32 from 4k < 4 · BLOCK_GROUPS.
            unsafe { _mm_storeu_si128(exponents[4 * k..].as_mut_ptr() as *mut __m128i, exponent) };
        }
        for (k, group) in block.chunks_exact(4).enumerate() {
            // SAFETY: four floats.
            let signs = _mm_movemask_ps(unsafe { _mm_loadu_ps(group.as_ptr()) }) as usize;
            // SAFETY: the caller's room; `at` is where this group starts.
            at +=
                unsafe { write_group(digits[k], &exponents[4 * k..4 * k + 4], signs, out.add(at)) };
        }
    }
    Some(at)
}

/// The text of one group of four (digits and exponents as `digits4` gives
/// them, `signs` bit k for element k), each element followed by a comma,
/// from `out`: how many bytes that took.
///
/// # Safety
/// `out` has room for 4 · (ELEMENT + 1) bytes.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn write_group(digits: __m128i, exponents: &[i32], signs: usize, out: *mut u8) -> usize {
    let digits = _mm256_cvtepu32_epi64(digits);
    // ⌊d / 10⁸⌋ as d · ⌈2⁵⁶ / 10⁸⌉ >> 56: exact below 10⁹.
    let first = _mm256_srli_epi64::<56>(_mm256_mul_epu32(digits, _mm256_set1_epi64x(720_575_941)));
    let rest = _mm256_sub_epi64(
        digits,
        _mm256_mul_epu32(first, _mm256_set1_epi64x(100_000_000)),
    );
    let (eight, other) = (eight_digits4(rest), other_bytes4(first, exponents));
    let [pattern02, pattern13] = &PATTERNS[signs];
    // SAFETY: 32 readable bytes each.
    let (pattern02, pattern13) = unsafe {
        (
            _mm256_loadu_si256(pattern02.as_ptr() as *const __m256i),
            _mm256_loadu_si256(pattern13.as_ptr() as *const __m256i),
        )
    };
    let text02 = _mm256_shuffle_epi8(_mm256_unpacklo_epi64(eight, other), pattern02);
    let text13 = _mm256_shuffle_epi8(_mm256_unpackhi_epi64(eight, other), pattern13);
    // Element k takes 15 bytes, one more with a minus sign, and a comma.
    let at1 = 16 + (signs & 1);
    let at2 = at1 + 16 + (signs >> 1 & 1);
    let at3 = at2 + 16 + (signs >> 2 & 1);
    let next = at3 + 16 + (signs >> 3);
    // SAFETY: every store is within the 4 · (ELEMENT + 1) bytes this group
    // may use; the commas come after the 16-byte stores, whose 16th byte
    // (for a non-negative element) they replace.
    unsafe {
        _mm_storeu_si128(out as *mut __m128i, _mm256_castsi256_si128(text02));
        _mm_storeu_si128(out.add(at1) as *mut __m128i, _mm256_castsi256_si128(text13));
        _mm_storeu_si128(
            out.add(at2) as *mut __m128i,
            _mm256_extracti128_si256::<1>(text02),
        );
        _mm_storeu_si128(
            out.add(at3) as *mut __m128i,
            _mm256_extracti128_si256::<1>(text13),
        );
        for comma in [at1, at2, at3, next] {
            out.add(comma - 1).write(b',');
        }
    }
    debug_assert!(next <= 4 * (ELEMENT + 1));
    next
}
