//! 3-D space-filling curves for spatial keys: 21 bits per axis, 63-bit keys
//! that fit a non-negative BIGINT.

use runtime::prelude::*;
use runtime::spatial::{
    SpatialError, grid_key, grid_point, hilbert_decode, hilbert_encode, morton_decode,
    morton_encode,
};

/// A cell of the 2²¹ × 2²¹ × 2²¹ grid.
#[derive(Debug, Clone, PartialEq, Eq, SqlRow)]
pub struct GridPoint {
    pub x: i32,
    pub y: i32,
    pub z: i32,
}

impl GridPoint {
    fn from_axes([x, y, z]: [u32; 3]) -> Self {
        // Coordinates are below 2²¹, so they fit INT.
        GridPoint {
            x: x as i32,
            y: y as i32,
            z: z as i32,
        }
    }
}

/// Hilbert key of a grid cell: cells with close keys are close in space, and
/// consecutive keys are face-adjacent cells.
#[sql_function(name = "fn_HilbertEncode3D", deterministic, precise)]
pub fn hilbert_encode_3d(x: i32, y: i32, z: i32) -> Result<i64, SpatialError> {
    let point = grid_point(x.into(), y.into(), z.into())?;
    Ok(hilbert_encode(point) as i64)
}

/// The grid cell of a Hilbert key (one row), the inverse of fn_HilbertEncode3D.
#[sql_function(name = "fn_HilbertDecode3D", deterministic, precise)]
pub fn hilbert_decode_3d(key: i64) -> Result<Vec<GridPoint>, SpatialError> {
    Ok(vec![GridPoint::from_axes(hilbert_decode(grid_key(key)?))])
}

/// Morton (Z-order) key of a grid cell: x, y and z bits interleaved.
#[sql_function(name = "fn_MortonEncode3D", deterministic, precise)]
pub fn morton_encode_3d(x: i32, y: i32, z: i32) -> Result<i64, SpatialError> {
    let point = grid_point(x.into(), y.into(), z.into())?;
    Ok(morton_encode(point) as i64)
}

/// The grid cell of a Morton key (one row), all 21 bits of each axis.
#[sql_function(name = "fn_MortonDecode3D", deterministic, precise)]
pub fn morton_decode_3d(key: i64) -> Result<Vec<GridPoint>, SpatialError> {
    Ok(vec![GridPoint::from_axes(morton_decode(grid_key(key)?))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MAX: i32 = (1 << 21) - 1;

    #[test]
    fn out_of_range_inputs_are_errors() {
        assert!(
            hilbert_encode_3d(-1, 0, 0)
                .unwrap_err()
                .to_string()
                .contains("x = -1")
        );
        assert!(morton_encode_3d(0, 0, MAX + 1).is_err());
        assert!(
            hilbert_decode_3d(-5)
                .unwrap_err()
                .to_string()
                .contains("-5")
        );
        assert!(morton_decode_3d(-1).is_err());
    }

    #[test]
    fn morton_keeps_high_bits() {
        let key = morton_encode_3d(MAX, 0, MAX).unwrap();
        assert_eq!(
            morton_decode_3d(key).unwrap(),
            vec![GridPoint {
                x: MAX,
                y: 0,
                z: MAX
            }]
        );
    }

    proptest! {
        #[test]
        fn decode_inverts_encode(x in 0..=MAX, y in 0..=MAX, z in 0..=MAX) {
            let h = hilbert_encode_3d(x, y, z).unwrap();
            prop_assert!(h >= 0);
            prop_assert_eq!(hilbert_decode_3d(h).unwrap(), vec![GridPoint { x, y, z }]);
            let m = morton_encode_3d(x, y, z).unwrap();
            prop_assert!(m >= 0);
            prop_assert_eq!(morton_decode_3d(m).unwrap(), vec![GridPoint { x, y, z }]);
        }
    }
}
