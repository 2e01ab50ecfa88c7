//! Skilling's Hilbert transform as a finite state machine, two levels per
//! step. At each level Skilling's algorithm reads the three coordinate bits
//! (as transformed by the levels above), then inverts or exchanges the lower
//! bits of the axes; the accumulated transform of the lower bits is one of a
//! few dozen bit-permutations-with-flips, and the Gray code's running
//! parity is one more bit. Those two make the state; the tables are derived
//! once, on first use, by running exactly those steps, so keys equal the
//! step-by-step algorithm's (the tests compare every order).

use std::collections::HashMap;
use std::sync::OnceLock;

/// A map of one level's three bits (bit i = axis i), as its image of each
/// of the eight inputs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Transform([u8; 8]);

impl Transform {
    const IDENTITY: Transform = Transform([0, 1, 2, 3, 4, 5, 6, 7]);

    /// `self` applied after `first`.
    fn after(self, first: Transform) -> Transform {
        Transform(std::array::from_fn(|x| self.0[first.0[x] as usize]))
    }

    /// Axis 0's bits inverted (`X[0] ^= P`).
    fn invert_axis0() -> Transform {
        Transform(std::array::from_fn(|x| (x ^ 1) as u8))
    }

    /// Axis 0's and axis i's bits exchanged.
    fn exchange(i: usize) -> Transform {
        Transform(std::array::from_fn(|x| {
            let (b0, bi) = (x & 1, (x >> i) & 1);
            ((x & !(1 | 1 << i)) | bi | b0 << i) as u8
        }))
    }

    /// What one level does to the levels below it, given its own bits as
    /// seen: for each axis in order, invert axis 0 where the axis's bit is
    /// set, else exchange the two.
    fn of_level(seen: u8) -> Transform {
        (0..3).fold(Transform::IDENTITY, |g, i| {
            let op = if seen >> i & 1 == 1 {
                Transform::invert_axis0()
            } else {
                Transform::exchange(i)
            };
            op.after(g)
        })
    }
}

/// One step of two levels: for each state and each 6-bit input (the upper
/// level's three bits above the lower's), the 6 output bits and the next
/// state, packed as `output | next << 8`.
pub struct Tables {
    pub encode2: Vec<[u16; 64]>,
    pub decode2: Vec<[u16; 64]>,
    pub encode1: Vec<[u16; 8]>,
    pub decode1: Vec<[u16; 8]>,
}

pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

/// Encoding one level in state (transform, parity): the key digit (axis 0's
/// bit highest) and the next state. Decoding inverts it digit by digit.
fn build() -> Tables {
    let mut index: HashMap<(Transform, bool), usize> = HashMap::new();
    let mut states = vec![(Transform::IDENTITY, false)];
    index.insert(states[0], 0);
    let mut encode1: Vec<[u16; 8]> = Vec::new();
    let mut decode1: Vec<[u16; 8]> = Vec::new();
    let mut next = 0;
    while next < states.len() {
        let (s, parity) = states[next];
        let mut enc = [0u16; 8];
        let mut dec = [0u16; 8];
        for octant in 0..8u8 {
            let seen = s.0[octant as usize];
            // Gray code across the axes: X[1] ^= X[0], X[2] ^= X[1]; then
            // every axis XOR the parity of axis 2's Gray bits above.
            let g0 = seen & 1;
            let g1 = g0 ^ (seen >> 1 & 1);
            let g2 = g1 ^ (seen >> 2 & 1);
            let p = parity as u8;
            let digit = (g0 ^ p) << 2 | (g1 ^ p) << 1 | (g2 ^ p);
            let following = (Transform::of_level(seen).after(s), parity ^ (g2 == 1));
            let id = *index.entry(following).or_insert_with(|| {
                states.push(following);
                states.len() - 1
            });
            enc[octant as usize] = digit as u16 | (id as u16) << 8;
            dec[digit as usize] = octant as u16 | (id as u16) << 8;
        }
        encode1.push(enc);
        decode1.push(dec);
        next += 1;
    }
    let pair = |single: &[[u16; 8]]| -> Vec<[u16; 64]> {
        single
            .iter()
            .map(|first| {
                std::array::from_fn(|input| {
                    let step = first[input >> 3];
                    let then = single[(step >> 8) as usize][input & 7];
                    ((step & 7) << 3 | (then & 7)) | (then & 0xFF00)
                })
            })
            .collect()
    };
    Tables {
        encode2: pair(&encode1),
        decode2: pair(&decode1),
        encode1,
        decode1,
    }
}
