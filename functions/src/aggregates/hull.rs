//! The convex hull of a group's geometries.

use crate::geometry::{coords_of, hull_of};
use runtime::prelude::geo_types::Coord;
use runtime::prelude::*;

/// Every coordinate seen, and the group's SRID.
pub struct SpatialConvexHull {
    srid: Option<i32>,
    coords: Vec<Coord<f64>>,
}

impl SpatialConvexHull {
    fn set_srid(&mut self, srid: i32) -> Result<(), String> {
        super::fixed::fix_once(
            &mut self.srid,
            &srid,
            |old, new| old == new,
            |old| {
                format!(
                    "geometries of SRID {old} and {srid} in one group: a hull needs one spatial reference"
                )
            },
        )
    }
}

impl SqlAggregate for SpatialConvexHull {
    type Error = String;

    fn init() -> Self {
        SpatialConvexHull {
            srid: None,
            coords: Vec::new(),
        }
    }

    fn merge(&mut self, other: Self) -> Result<(), String> {
        if let Some(srid) = other.srid {
            self.set_srid(srid)?;
        }
        self.coords.extend(other.coords);
        Ok(())
    }

    fn save(&self, out: &mut StateWriter) {
        out.i64(self.srid.map_or(-1, i64::from));
        let flat: Vec<f64> = self.coords.iter().flat_map(|c| [c.x, c.y]).collect();
        out.f64s(&flat);
    }

    fn restore(input: &mut StateReader<'_>) -> Result<Self, StateError> {
        let srid = match input.i64()? {
            -1 => None,
            s => Some(
                i32::try_from(s)
                    .ok()
                    .filter(|s| (0..=runtime::geometry::MAX_SRID).contains(s))
                    .ok_or_else(|| StateError::new(format!("SRID {s} is out of range")))?,
            ),
        };
        let flat = input.f64s()?;
        if flat.len() % 2 != 0 {
            return Err(StateError::new(format!(
                "{} values are not whole coordinates",
                flat.len()
            )));
        }
        let coords = flat
            .chunks_exact(2)
            .map(|c| Coord { x: c[0], y: c[1] })
            .collect();
        Ok(SpatialConvexHull { srid, coords })
    }
}

/// The convex hull of the group's geometries (every vertex of every
/// geometry): a polygon, or a line or point when the vertices are collinear
/// or one; in the group's SRID. The geometries cross as their SRID and WKB:
/// `dbo.hs_GeometryFromBytes(dbo.SpatialConvexHull(dbo.hs_GeometryToBytes(g)))`.
#[sql_aggregate(
    name = "SpatialConvexHull",
    invariant_to_nulls,
    invariant_to_duplicates,
    invariant_to_order,
    null_if_empty
)]
impl SpatialConvexHull {
    pub fn accumulate(&mut self, geometry: Geometry) -> Result<(), String> {
        self.set_srid(geometry.srid)?;
        self.coords.extend(coords_of(&geometry));
        Ok(())
    }

    pub fn terminate(&self) -> Result<Option<Geometry>, String> {
        match self.srid {
            Some(srid) => hull_of(self.coords.clone(), srid),
            None => Ok(None),
        }
    }
}
