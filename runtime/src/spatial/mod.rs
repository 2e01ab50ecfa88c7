//! Space-filling curves over a 3-D grid of 2²¹ cells per axis (63-bit keys):
//! Hilbert (Skilling's transpose algorithm, so consecutive keys are
//! face-adjacent cells) and Morton (bit interleaving, x in the lowest bit).

use std::fmt;

mod hilbert_states;

/// Bits per axis: 3 × 21 = 63 bits fit a non-negative BIGINT.
pub const AXIS_BITS: u32 = 21;
/// Largest coordinate on an axis.
pub const MAX_COORDINATE: u32 = (1 << AXIS_BITS) - 1;
/// Largest key.
pub const MAX_KEY: u64 = (1 << (3 * AXIS_BITS)) - 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpatialError {
    CoordinateOutOfRange { axis: char, value: i64 },
    KeyOutOfRange { key: i64 },
}

impl fmt::Display for SpatialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpatialError::CoordinateOutOfRange { axis, value } => write!(
                f,
                "coordinate {axis} = {value} is outside the grid: each axis runs from 0 to {MAX_COORDINATE}"
            ),
            SpatialError::KeyOutOfRange { key } => {
                write!(f, "key {key} is outside 0 to {MAX_KEY} (63-bit keys)")
            }
        }
    }
}

impl std::error::Error for SpatialError {}

/// Checks SQL inputs (INT coordinates) against the grid.
pub fn grid_point(x: i64, y: i64, z: i64) -> Result<[u32; 3], SpatialError> {
    let check = |axis, value: i64| {
        u32::try_from(value)
            .ok()
            .filter(|v| *v <= MAX_COORDINATE)
            .ok_or(SpatialError::CoordinateOutOfRange { axis, value })
    };
    Ok([check('x', x)?, check('y', y)?, check('z', z)?])
}

/// Checks a SQL key (BIGINT) against the key range.
pub fn grid_key(key: i64) -> Result<u64, SpatialError> {
    u64::try_from(key)
        .ok()
        .filter(|k| *k <= MAX_KEY)
        .ok_or(SpatialError::KeyOutOfRange { key })
}

/// Hilbert key of a point at 21 bits per axis.
pub fn hilbert_encode(point: [u32; 3]) -> u64 {
    hilbert_encode_order(point, AXIS_BITS)
}

/// Point of a Hilbert key at 21 bits per axis.
pub fn hilbert_decode(key: u64) -> [u32; 3] {
    hilbert_decode_order(key, AXIS_BITS)
}

/// Hilbert key at `order` bits per axis (1..=21); coordinates below 2^order.
///
/// The point's bits are interleaved (one octant per level, BMI2 where
/// fast), then Skilling's transform runs as a state machine, two levels per
/// table lookup (see `hilbert_states`).
pub fn hilbert_encode_order(point: [u32; 3], order: u32) -> u64 {
    debug_assert!((1..=AXIS_BITS).contains(&order));
    let octants = morton_encode(point);
    let tables = hilbert_states::tables();
    let (mut state, mut key, mut level) = (0usize, 0u64, order);
    if order % 2 == 1 {
        level -= 1;
        let step = tables.encode1[state][(octants >> (3 * level)) as usize & 7];
        key = (step & 7) as u64;
        state = (step >> 8) as usize;
    }
    while level > 0 {
        level -= 2;
        let step = tables.encode2[state][(octants >> (3 * level)) as usize & 63];
        key = key << 6 | (step & 63) as u64;
        state = (step >> 8) as usize;
    }
    key
}

/// Inverse of [`hilbert_encode_order`].
pub fn hilbert_decode_order(key: u64, order: u32) -> [u32; 3] {
    debug_assert!((1..=AXIS_BITS).contains(&order));
    let tables = hilbert_states::tables();
    let (mut state, mut octants, mut level) = (0usize, 0u64, order);
    if order % 2 == 1 {
        level -= 1;
        let step = tables.decode1[state][(key >> (3 * level)) as usize & 7];
        octants = (step & 7) as u64;
        state = (step >> 8) as usize;
    }
    while level > 0 {
        level -= 2;
        let step = tables.decode2[state][(key >> (3 * level)) as usize & 63];
        octants = octants << 6 | (step & 63) as u64;
        state = (step >> 8) as usize;
    }
    morton_decode(octants)
}

/// Every third bit, from bit 0: where one axis's bits go in a key.
const AXIS_MASK: u64 = 0x1249_2492_4924_9249;

/// Spreads the low 21 bits of `v` to every third bit.
#[inline(always)]
fn spread3(v: u32) -> u64 {
    let mut x = (v & MAX_COORDINATE) as u64;
    x = (x | (x << 32)) & 0x001f_0000_0000_ffff;
    x = (x | (x << 16)) & 0x001f_0000_ff00_00ff;
    x = (x | (x << 8)) & 0x100f_00f0_0f00_f00f;
    x = (x | (x << 4)) & 0x10c3_0c30_c30c_30c3;
    x = (x | (x << 2)) & AXIS_MASK;
    x
}

/// Gathers every third bit of `v` (from bit 0) into the low 21 bits.
#[inline(always)]
fn compact3(v: u64) -> u32 {
    let mut x = v & AXIS_MASK;
    x = (x ^ (x >> 2)) & 0x10c3_0c30_c30c_30c3;
    x = (x ^ (x >> 4)) & 0x100f_00f0_0f00_f00f;
    x = (x ^ (x >> 8)) & 0x001f_0000_ff00_00ff;
    x = (x ^ (x >> 16)) & 0x001f_0000_0000_ffff;
    x = (x ^ (x >> 32)) & MAX_COORDINATE as u64;
    x as u32
}

/// Bit 3k of the key is axis 0's bit k, 3k+1 axis 1's, 3k+2 axis 2's.
#[inline(always)]
fn interleave(p: [u32; 3]) -> u64 {
    spread3(p[0]) | (spread3(p[1]) << 1) | (spread3(p[2]) << 2)
}

/// Inverse of [`interleave`].
#[inline(always)]
fn deinterleave(key: u64) -> [u32; 3] {
    [compact3(key), compact3(key >> 1), compact3(key >> 2)]
}

/// The same interleaving with BMI2's PDEP and PEXT: one instruction per
/// axis instead of five shift-and-mask steps.
#[cfg(target_arch = "x86_64")]
mod bmi2 {
    use super::{AXIS_MASK, MAX_COORDINATE};
    use std::arch::x86_64::{__cpuid, _pdep_u64, _pext_u64};
    use std::sync::OnceLock;

    /// BMI2 is present and PDEP/PEXT are single instructions: AMD before
    /// Zen 3 (family 19h) runs them in microcode, hundreds of cycles, slower
    /// than the shifts.
    pub fn is_fast() -> bool {
        static FAST: OnceLock<bool> = OnceLock::new();
        *FAST.get_or_init(|| {
            if !std::is_x86_feature_detected!("bmi2") {
                return false;
            }
            // CPUID leaves 0 (vendor) and 1 (family) exist on every x86_64 CPU.
            let (vendor, signature) = (__cpuid(0), __cpuid(1));
            let amd = vendor.ebx == u32::from_le_bytes(*b"Auth");
            let base = (signature.eax >> 8) & 0xf;
            let family = if base == 0xf {
                base + ((signature.eax >> 20) & 0xff)
            } else {
                base
            };
            !amd || family >= 0x19
        })
    }

    #[target_feature(enable = "bmi2")]
    pub fn interleave(p: [u32; 3]) -> u64 {
        let m = MAX_COORDINATE;
        _pdep_u64((p[0] & m) as u64, AXIS_MASK)
            | _pdep_u64((p[1] & m) as u64, AXIS_MASK << 1)
            | _pdep_u64((p[2] & m) as u64, AXIS_MASK << 2)
    }

    #[target_feature(enable = "bmi2")]
    pub fn deinterleave(key: u64) -> [u32; 3] {
        [
            _pext_u64(key, AXIS_MASK) as u32,
            _pext_u64(key, AXIS_MASK << 1) as u32,
            _pext_u64(key, AXIS_MASK << 2) as u32,
        ]
    }
}

/// Morton (Z-order) key: bit 3k is x's bit k, 3k+1 y's, 3k+2 z's.
pub fn morton_encode(point: [u32; 3]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if bmi2::is_fast() {
        // SAFETY: the CPU has BMI2.
        return unsafe { bmi2::interleave(point) };
    }
    interleave(point)
}

/// Inverse of [`morton_encode`], keeping all 21 bits of each axis.
pub fn morton_decode(key: u64) -> [u32; 3] {
    #[cfg(target_arch = "x86_64")]
    if bmi2::is_fast() {
        // SAFETY: the CPU has BMI2.
        return unsafe { bmi2::deinterleave(key) };
    }
    deinterleave(key)
}

/// The curves one bit at a time, as first written: what the fast paths are
/// tested and benchmarked against.
pub mod reference {
    use super::AXIS_BITS;

    pub fn hilbert_encode_order(point: [u32; 3], order: u32) -> u64 {
        let x = hilbert_transpose(point, order);
        let mut key = 0u64;
        for bit in (0..order).rev() {
            for v in x {
                key = (key << 1) | ((v >> bit) & 1) as u64;
            }
        }
        key
    }

    pub fn hilbert_decode_order(key: u64, order: u32) -> [u32; 3] {
        let mut x = [0u32; 3];
        for bit in 0..order {
            for (i, v) in x.iter_mut().enumerate() {
                let position = bit * 3 + (2 - i as u32);
                *v |= (((key >> position) & 1) as u32) << bit;
            }
        }
        hilbert_untranspose(x, order)
    }

    pub fn morton_encode(p: [u32; 3]) -> u64 {
        let mut key = 0;
        for bit in 0..AXIS_BITS {
            for (axis, v) in p.iter().enumerate() {
                key |= (((v >> bit) & 1) as u64) << (3 * bit + axis as u32);
            }
        }
        key
    }

    pub fn morton_decode(key: u64) -> [u32; 3] {
        let mut p = [0u32; 3];
        for bit in 0..AXIS_BITS {
            for (axis, v) in p.iter_mut().enumerate() {
                *v |= (((key >> (3 * bit + axis as u32)) & 1) as u32) << bit;
            }
        }
        p
    }

    /// Skilling's transform from a point to the "transposed" Hilbert index:
    /// the key's bits spread across the three axes (axis 0 holding the most
    /// significant bit of each level).
    #[inline(always)]
    fn hilbert_transpose(point: [u32; 3], order: u32) -> [u32; 3] {
        let mut x = point;
        let top = 1u32 << (order - 1);
        // Undo the rotations and reflections level by level, from the top bit:
        // where axis i's bit is set, invert axis 0's lower bits, else exchange
        // them with axis i's. (A branch-free form with masks measured slower:
        // the compiler already picks conditional moves.)
        let mut q = top;
        while q > 1 {
            let low = q - 1;
            for i in 0..3 {
                if x[i] & q != 0 {
                    x[0] ^= low;
                } else {
                    let t = (x[0] ^ x[i]) & low;
                    x[0] ^= t;
                    x[i] ^= t;
                }
            }
            q >>= 1;
        }
        // Gray encode.
        x[1] ^= x[0];
        x[2] ^= x[1];
        let mut t = 0;
        let mut q = top;
        while q > 1 {
            if x[2] & q != 0 {
                t ^= q - 1;
            }
            q >>= 1;
        }
        for v in &mut x {
            *v ^= t;
        }
        x
    }

    /// Inverse of [`hilbert_transpose`].
    #[inline(always)]
    fn hilbert_untranspose(mut x: [u32; 3], order: u32) -> [u32; 3] {
        // Gray decode.
        let t = x[2] >> 1;
        x[2] ^= x[1];
        x[1] ^= x[0];
        x[0] ^= t;
        // Redo the rotations and reflections, from the lowest level up.
        let end = 2u32 << (order - 1);
        let mut q = 2u32;
        while q != end {
            let low = q - 1;
            for i in (0..3).rev() {
                if x[i] & q != 0 {
                    x[0] ^= low;
                } else {
                    let t = (x[0] ^ x[i]) & low;
                    x[0] ^= t;
                    x[i] ^= t;
                }
            }
            q <<= 1;
        }
        x
    }

    /// The portable shift-and-mask interleaving, for the benchmark.
    pub fn morton_encode_shifts(p: [u32; 3]) -> u64 {
        super::interleave(p)
    }

    pub fn morton_decode_shifts(key: u64) -> [u32; 3] {
        super::deinterleave(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn coordinate() -> impl Strategy<Value = u32> {
        0..=MAX_COORDINATE
    }

    fn manhattan(a: [u32; 3], b: [u32; 3]) -> u32 {
        a.iter().zip(&b).map(|(x, y)| x.abs_diff(*y)).sum()
    }

    #[test]
    fn hilbert_is_a_face_adjacent_bijection_at_small_orders() {
        for order in 1..=4 {
            let side = 1u32 << order;
            let cells = (side as u64).pow(3);
            let mut seen = HashSet::new();
            let mut previous = None;
            for key in 0..cells {
                let p = hilbert_decode_order(key, order);
                assert!(
                    p.iter().all(|v| *v < side),
                    "order {order}: {p:?} off the grid"
                );
                assert!(seen.insert(p), "order {order}: {p:?} visited twice");
                assert_eq!(hilbert_encode_order(p, order), key, "order {order}: {p:?}");
                if let Some(prev) = previous {
                    assert_eq!(
                        manhattan(prev, p),
                        1,
                        "order {order}: step {key} jumps from {prev:?} to {p:?}"
                    );
                }
                previous = Some(p);
            }
            assert_eq!(seen.len() as u64, cells);
        }
    }

    #[test]
    fn full_order_extremes() {
        assert_eq!(hilbert_encode([0, 0, 0]), 0);
        let corner = [MAX_COORDINATE; 3];
        assert_eq!(hilbert_decode(hilbert_encode(corner)), corner);
        assert!(hilbert_encode(corner) <= MAX_KEY);
        assert_eq!(
            hilbert_decode(MAX_KEY)
                .iter()
                .filter(|v| **v > MAX_COORDINATE)
                .count(),
            0
        );
        assert_eq!(morton_encode(corner), MAX_KEY);
        assert_eq!(morton_decode(MAX_KEY), corner);
    }

    #[test]
    fn sql_inputs_are_range_checked() {
        assert_eq!(grid_point(1, 2, 3).unwrap(), [1, 2, 3]);
        let e = grid_point(0, -1, 0).unwrap_err();
        assert_eq!(
            e,
            SpatialError::CoordinateOutOfRange {
                axis: 'y',
                value: -1
            }
        );
        assert!(e.to_string().contains("2097151"), "{e}");
        assert!(grid_point(0, 0, 1 << 21).is_err());
        assert!(grid_key(-1).is_err());
        assert!(grid_key(i64::MIN).is_err());
        assert_eq!(grid_key(MAX_KEY as i64).unwrap(), MAX_KEY);
    }

    proptest! {
        #[test]
        fn hilbert_decode_inverts_encode(x in coordinate(), y in coordinate(), z in coordinate()) {
            let key = hilbert_encode([x, y, z]);
            prop_assert!(key <= MAX_KEY);
            prop_assert_eq!(hilbert_decode(key), [x, y, z]);
        }

        #[test]
        fn hilbert_encode_inverts_decode(key in 0..=MAX_KEY) {
            prop_assert_eq!(hilbert_encode(hilbert_decode(key)), key);
        }

        #[test]
        fn hilbert_neighbours_are_adjacent(key in 0..MAX_KEY) {
            prop_assert_eq!(manhattan(hilbert_decode(key), hilbert_decode(key + 1)), 1);
        }

        #[test]
        fn morton_matches_bit_interleaving(x in coordinate(), y in coordinate(), z in coordinate()) {
            let key = morton_encode([x, y, z]);
            prop_assert_eq!(key, reference::morton_encode([x, y, z]));
            prop_assert_eq!(morton_decode(key), [x, y, z]);
        }

        #[test]
        fn morton_encode_inverts_decode(key in 0..=MAX_KEY) {
            prop_assert_eq!(morton_encode(morton_decode(key)), key);
            prop_assert_eq!(morton_decode(key), reference::morton_decode(key));
            prop_assert_eq!(reference::morton_decode_shifts(key), reference::morton_decode(key));
        }

        /// The chosen path (BMI2 where fast) and the shifts against the
        /// bit-at-a-time reference, at every order.
        #[test]
        fn fast_paths_match_the_reference(order in 1..=AXIS_BITS, seed in any::<[u32; 3]>(), key in any::<u64>()) {
            let point = seed.map(|v| v & ((1 << order) - 1));
            let key = key & ((1u64 << (3 * order)) - 1);
            prop_assert_eq!(
                hilbert_encode_order(point, order),
                reference::hilbert_encode_order(point, order)
            );
            prop_assert_eq!(
                hilbert_decode_order(key, order),
                reference::hilbert_decode_order(key, order)
            );
            prop_assert_eq!(reference::morton_encode_shifts(point), reference::morton_encode(point));
        }
    }
}
