//! SQL Server's shape (and the printer's nine-digit one) read with
//! SSSE3/SSE4.1: one 16-byte load per element, validated with two compares,
//! its digits gathered by one shuffle and combined by two multiply-adds.
//!
//! Two drivers: `parse_vector_sse41` turns each element into an f32 as it
//! goes; `parse_vector_avx2` keeps up to 64 decoded elements and converts
//! them four at a time (a gathered power of ten, one multiply, the rounding
//! checks as lane masks), which halves the scalar work per element.

use super::{JsonVectorError, POW10, next_element, parse_number, parse_with, scale, skip_ws};
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
    parse_with(text, |t, start| {
        let negative = *t.get(start)? == b'-';
        let p = start + negative as usize;
        // The closure inherits this function's SSE4.1 and SSSE3.
        let shape = shape_at(t, p)?;
        let end = p + shape.len;
        let value = scale(shape.mantissa(), shape.exponent(), t, p, end)?;
        Some((
            f32::from_bits(value.to_bits() | (negative as u32) << 31),
            end,
        ))
    })
}

/// Decoded elements waiting to be scaled, all of them consecutive in the
/// output from `first`.
struct Pending {
    first: usize,
    quads: [__m128i; BATCH],
    /// multiplier, exponent sign, exponent bias, sign bit, per element.
    adjust: [[i32; BATCH]; 4],
    /// Where each element's text starts (after its sign) and ends, for the
    /// exact parser when the fast rounding is not certain.
    spans: [(u32, u32); BATCH],
}

const BATCH: usize = 64;

impl Pending {
    /// Records element `k` of the batch (k < BATCH).
    #[target_feature(enable = "avx2,sse4.1,ssse3")]
    #[inline]
    fn put(&mut self, k: usize, shape: &Shape, negative: bool, p: usize, end: usize) {
        self.quads[k] = shape.quads;
        self.adjust[0][k] = shape.multiplier;
        self.adjust[1][k] = shape.exponent_sign;
        self.adjust[2][k] = shape.exponent_bias;
        self.adjust[3][k] = (negative as i32) << 31;
        self.spans[k] = (p as u32, end as u32);
    }

    /// Scales the first `count` recorded elements into
    /// `out[first..first + count]`.
    #[target_feature(enable = "avx2,sse4.1,ssse3")]
    fn flush(&mut self, count: usize, text: &[u8], out: &mut [std::mem::MaybeUninit<f32>]) {
        let mut k = 0;
        while k + 4 <= count {
            // SAFETY: out[first + k .. + 4] is within `out` (the caller sized
            // it), and the adjust rows hold k + 4 <= BATCH entries.
            assert!(
                self.first + k + 4 <= out.len(),
                "within the output's capacity"
            );
            let slow_lanes = unsafe { self.scale4(k, out.as_mut_ptr().add(self.first + k).cast()) };
            if slow_lanes != 0 {
                for lane in 0..4 {
                    if slow_lanes >> lane & 1 == 1 {
                        out[self.first + k + lane].write(self.exact(k + lane, text));
                    }
                }
            }
            k += 4;
        }
        while k < count {
            out[self.first + k].write(self.exact(k, text));
            k += 1;
        }
        self.first += count;
    }

    /// One element through the scalar path (`scale`, which takes the exact
    /// parser where needed).
    fn exact(&self, k: usize, text: &[u8]) -> f32 {
        let shape = Shape {
            quads: self.quads[k],
            multiplier: self.adjust[0][k],
            exponent_sign: self.adjust[1][k],
            exponent_bias: self.adjust[2][k],
            len: 0,
        };
        let (p, end) = (self.spans[k].0 as usize, self.spans[k].1 as usize);
        let value = scale(shape.mantissa(), shape.exponent(), text, p, end)
            .expect("a fixed-shape number is valid JSON");
        f32::from_bits(value.to_bits() | self.adjust[3][k] as u32)
    }

    /// Elements k..k+4 to f32 at `out`; returns a mask of the lanes whose
    /// rounding is not certain (or whose exponent is off the table), which
    /// the caller redoes exactly.
    #[target_feature(enable = "avx2,sse4.1,ssse3")]
    unsafe fn scale4(&self, k: usize, out: *mut f32) -> i32 {
        // Transpose four [a, b, e, d] quads into lanes of a, b, e and d.
        let (q0, q1, q2, q3) = (
            self.quads[k],
            self.quads[k + 1],
            self.quads[k + 2],
            self.quads[k + 3],
        );
        let (t0, t1) = (_mm_unpacklo_epi32(q0, q1), _mm_unpacklo_epi32(q2, q3));
        let (t2, t3) = (_mm_unpackhi_epi32(q0, q1), _mm_unpackhi_epi32(q2, q3));
        let a = _mm_unpacklo_epi64(t0, t1);
        let b = _mm_unpackhi_epi64(t0, t1);
        let e = _mm_unpacklo_epi64(t2, t3);
        let d = _mm_unpackhi_epi64(t2, t3);
        // SAFETY: k + 4 <= BATCH: four i32 in each adjust row.
        let row =
            |r: usize| unsafe { _mm_loadu_si128(self.adjust[r][k..].as_ptr() as *const __m128i) };
        // At most 999,999,999: exact in i32 and in f64.
        let mantissa = _mm_add_epi32(
            _mm_mullo_epi32(
                _mm_add_epi32(_mm_mullo_epi32(a, _mm_set1_epi32(10_000)), b),
                row(0),
            ),
            d,
        );
        let exponent = _mm_add_epi32(_mm_mullo_epi32(e, row(1)), row(2));
        // Off the table (|exponent| > 64): every lane of the group goes the
        // exact way.
        let off = _mm_or_si128(
            _mm_cmpgt_epi32(exponent, _mm_set1_epi32(64)),
            _mm_cmplt_epi32(exponent, _mm_set1_epi32(-64)),
        );
        if _mm_movemask_epi8(off) != 0 {
            return 0b1111;
        }
        // SAFETY: every index is within 0..=128, POW10's bounds.
        let power = unsafe {
            _mm256_i32gather_pd::<8>(POW10.as_ptr(), _mm_add_epi32(exponent, _mm_set1_epi32(64)))
        };
        let approx = _mm256_mul_pd(_mm256_cvtepi32_pd(mantissa), power);
        let bits = _mm256_castpd_si256(approx);
        // Within 8 ulps of an f32 rounding midpoint (low 29 bits 1 << 28),
        // or below f32's normal range, as in `scale`; a zero mantissa is
        // exact.
        let low = _mm256_and_si256(
            _mm256_sub_epi64(bits, _mm256_set1_epi64x(0x1000_0000 - 8)),
            _mm256_set1_epi64x(0x1FFF_FFFF),
        );
        let near_midpoint = _mm256_cmpgt_epi64(_mm256_set1_epi64x(17), low);
        let subnormal = _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3810_0000_0000_0000), bits);
        let zero = _mm256_cmpeq_epi64(bits, _mm256_setzero_si256());
        let uncertain = _mm256_andnot_si256(zero, _mm256_or_si256(near_midpoint, subnormal));
        let values = _mm_or_si128(_mm_castps_si128(_mm256_cvtpd_ps(approx)), row(3));
        // SAFETY: the caller gives four writable floats at `out`.
        unsafe { _mm_storeu_si128(out as *mut __m128i, values) };
        _mm256_movemask_pd(_mm256_castsi256_pd(uncertain))
    }
}

#[target_feature(enable = "avx2,sse4.1,ssse3")]
pub(super) fn parse_vector_avx2(text: &[u8]) -> Result<Vec<f32>, JsonVectorError> {
    let err = |at, expected| JsonVectorError { at, expected };
    let mut i = skip_ws(text, 0);
    if text.get(i) != Some(&b'[') {
        return Err(err(i, "`[`"));
    }
    i = skip_ws(text, i + 1);
    if text.get(i) == Some(&b']') {
        i = skip_ws(text, i + 1);
        return if i == text.len() {
            Ok(Vec::new())
        } else {
            Err(err(i, "the end of the text"))
        };
    }
    // Every element takes at least two bytes (a digit and a delimiter), so
    // this many always suffice. Not zeroed: every element is written (by a
    // flush or directly) before `set_len` covers it.
    let mut out: Vec<f32> = Vec::with_capacity(text.len() / 2 + 1);
    let capacity = out.capacity();
    let mut n = 0usize;
    // The batch's length stays in a local (a register): kept in the struct,
    // it made a store-to-load chain from one element to the next.
    let mut count = 0usize;
    let mut pending = Pending {
        first: 0,
        quads: [_mm_setzero_si128(); BATCH],
        adjust: [[0; BATCH]; 4],
        spans: [(0, 0); BATCH],
    };
    loop {
        // `i` is at an element (after `[` or `,`, possibly before spaces).
        let negative = text.get(i) == Some(&b'-');
        let p = i + negative as usize;
        let end = match shape_at(text, p) {
            Some(shape) => {
                let end = p + shape.len;
                pending.put(count, &shape, negative, p, end);
                count += 1;
                assert!(n < capacity, "two bytes per element");
                if count == BATCH {
                    pending.flush(count, text, out.spare_capacity_mut());
                    count = 0;
                }
                end
            }
            None => {
                pending.flush(count, text, out.spare_capacity_mut());
                count = 0;
                i = skip_ws(text, i);
                let (value, end) = parse_number(text, i).ok_or_else(|| err(i, "a number"))?;
                assert!(n < capacity, "two bytes per element");
                out.spare_capacity_mut()[n].write(value);
                pending.first = n + 1;
                end
            }
        };
        n += 1;
        match next_element(text, end)? {
            Some(next) => i = next,
            None => {
                pending.flush(count, text, out.spare_capacity_mut());
                // SAFETY: elements 0..n were each written once, by a flush
                // or directly above.
                unsafe { out.set_len(n) };
                return Ok(out);
            }
        }
    }
}
