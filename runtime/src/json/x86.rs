//! SQL Server's shape (and the printer's nine-digit one) read with
//! SSSE3/SSE4.1: one 16-byte load per element, validated with two compares,
//! its digits gathered by one shuffle and combined by two multiply-adds.
//!
//! `parse_vector_sse41` turns each element into an f32 as it goes; the
//! AVX2 driver (`avx2.rs`) reads four elements at a time and falls back to
//! `fixed_element` here, one element at a time, where they are not all of
//! a fixed shape.

use super::{JsonVectorError, parse_with, scale};
use std::arch::x86_64::*;

/// One element of a fixed shape, decoded but not yet scaled.
#[derive(Clone, Copy)]
struct Shape {
    /// [first four digits, next four, exponent digits, ninth digit or 0].
    quads: __m128i,
    /// 10 for the nine-digit shape (the ninth digit is added after ×10).
    multiplier: i32,
    /// ±1 from the exponent's sign.
    exponent_sign: i32,
    /// −7 or −8: the decimal point after the first of 8 or 9 digits.
    exponent_bias: i32,
    /// Bytes from the first digit to the delimiter.
    len: usize,
}

impl Shape {
    fn mantissa(&self) -> u64 {
        // SAFETY (all lane reads): SSE4.1 is enabled in every caller.
        let (a, b, d) = unsafe {
            (
                _mm_cvtsi128_si32(self.quads) as u64,
                _mm_extract_epi32::<1>(self.quads) as u64,
                _mm_extract_epi32::<3>(self.quads) as u64,
            )
        };
        (a * 10_000 + b) * self.multiplier as u64 + d
    }

    fn exponent(&self) -> i32 {
        // SAFETY: as above.
        let e = unsafe { _mm_extract_epi32::<2>(self.quads) };
        e * self.exponent_sign + self.exponent_bias
    }
}

/// Whether every byte of `v`, after OR-ing `fold` (which folds `E` to `e`),
/// lies within `low..=high` (bytewise, unsigned).
#[target_feature(enable = "sse4.1,ssse3")]
#[inline]
fn within(v: __m128i, fold: __m128i, low: __m128i, high: __m128i) -> bool {
    let folded = _mm_or_si128(v, fold);
    let inside = _mm_and_si128(
        _mm_cmpeq_epi8(_mm_max_epu8(folded, low), folded),
        _mm_cmpeq_epi8(_mm_min_epu8(folded, high), folded),
    );
    _mm_movemask_epi8(inside) == 0xFFFF
}

/// The element of a fixed shape starting at `p` (after any minus sign), if
/// it is one: SQL Server's eight digits (`e` at byte 9) or our printer's
/// nine.
#[target_feature(enable = "sse4.1,ssse3")]
#[inline]
fn shape_at(text: &[u8], p: usize) -> Option<Shape> {
    if p + 16 > text.len() {
        return None;
    }
    // SAFETY: p + 16 <= text.len().
    let v = unsafe { _mm_loadu_si128(text.as_ptr().add(p) as *const __m128i) };
    let shape = if text[p + 9] | 0x20 == b'e' {
        read_shape::<10>(v, &EIGHT_DIGITS)
    } else {
        read_shape::<11>(v, &NINE_DIGITS)
    }?;
    // A digit right after would make the exponent longer than the shape's:
    // that number is the general parser's, so both read it alike.
    (!text[p + shape.len].is_ascii_digit()).then_some(shape)
}

/// How one fixed shape is laid out, as the constants its reader needs.
struct Layout {
    /// OR-ed in before the range check: 0x20 at the `e` folds `E` into it.
    fold: [u8; 16],
    /// Each byte's allowed range (the sign's, '+'..='-', is refined in
    /// `read_shape`).
    low: [u8; 16],
    high: [u8; 16],
    /// Digits to [8 mantissa digits | 0 e e e | ninth digit pair].
    gather: [u8; 16],
    /// Weights pairing digits, then pairs into quads.
    pair: [u8; 16],
    quad: [i16; 8],
    multiplier: i32,
    exponent_bias: i32,
    len: usize,
}

const D: u8 = b'0';
const N: u8 = b'9';
const Z: u8 = 0x80; // a shuffle index that yields 0

/// `d.ddddddde±ddd` (SQL Server's `%.7e`).
static EIGHT_DIGITS: Layout = Layout {
    fold: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0],
    low: [D, b'.', D, D, D, D, D, D, D, b'e', b'+', D, D, D, 0, 0],
    high: [
        N, b'.', N, N, N, N, N, N, N, b'e', b'-', N, N, N, 0xFF, 0xFF,
    ],
    gather: [0, 2, 3, 4, 5, 6, 7, 8, Z, 11, 12, 13, Z, Z, Z, Z],
    pair: [10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 0, 0, 0, 0],
    quad: [100, 1, 100, 1, 100, 1, 0, 0],
    multiplier: 1,
    exponent_bias: -7,
    len: 14,
};

/// `d.dddddddde±ddd` (`print_vector`'s nine digits).
static NINE_DIGITS: Layout = Layout {
    fold: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0],
    low: [D, b'.', D, D, D, D, D, D, D, D, b'e', b'+', D, D, D, 0],
    high: [N, b'.', N, N, N, N, N, N, N, N, b'e', b'-', N, N, N, 0xFF],
    gather: [0, 2, 3, 4, 5, 6, 7, 8, Z, 12, 13, 14, Z, 9, Z, Z],
    pair: [10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 0, 0],
    quad: [100, 1, 100, 1, 100, 1, 1, 0],
    multiplier: 10,
    exponent_bias: -8,
    len: 15,
};

/// The 16 bytes at `v` read as `layout`, whose exponent sign is at byte
/// `SIGN_AT`, if they are that shape.
#[target_feature(enable = "sse4.1,ssse3")]
#[inline]
fn read_shape<const SIGN_AT: i32>(v: __m128i, layout: &Layout) -> Option<Shape> {
    let load = |bytes: &[u8; 16]| {
        // SAFETY: 16 readable bytes.
        unsafe { _mm_loadu_si128(bytes.as_ptr() as *const __m128i) }
    };
    let ok = within(v, load(&layout.fold), load(&layout.low), load(&layout.high));
    let sign = _mm_extract_epi8::<SIGN_AT>(v) as u8;
    // ',' lies between '+' and '-': the sign byte is checked on its own.
    if !ok || sign == b',' {
        return None;
    }
    let x = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
    let pairs = _mm_maddubs_epi16(
        _mm_shuffle_epi8(x, load(&layout.gather)),
        load(&layout.pair),
    );
    // SAFETY: 8 readable i16.
    let quad = unsafe { _mm_loadu_si128(layout.quad.as_ptr() as *const __m128i) };
    Some(Shape {
        quads: _mm_madd_epi16(pairs, quad),
        multiplier: layout.multiplier,
        // '+' is 43 and '-' is 45.
        exponent_sign: 44 - sign as i32,
        exponent_bias: layout.exponent_bias,
        len: layout.len,
    })
}

#[target_feature(enable = "sse4.1,ssse3")]
pub(super) fn parse_vector_sse41(text: &[u8]) -> Result<Vec<f32>, JsonVectorError> {
    parse_with(text, |t, start| fixed_element(t, start))
}

/// The element at `start` if it has one of the fixed shapes (with an
/// optional minus sign): its value and the index after it.
#[target_feature(enable = "sse4.1,ssse3")]
#[inline]
pub(super) fn fixed_element(text: &[u8], start: usize) -> Option<(f32, usize)> {
    let negative = *text.get(start)? == b'-';
    let p = start + negative as usize;
    let shape = shape_at(text, p)?;
    let end = p + shape.len;
    let value = scale(shape.mantissa(), shape.exponent(), text, p, end)?;
    Some((
        f32::from_bits(value.to_bits() | (negative as u32) << 31),
        end,
    ))
}
