//! Functions over SQL Server `geometry` values: they cross the bridge as
//! their SRID and WKB (see runtime::geometry), and the generated
//! `<name>_Geometry` companion takes and returns `GEOMETRY` itself.

use geo::{Area, ConvexHull};
use runtime::geometry::{MAX_SRID, for_each_coord};
use runtime::prelude::geo_types::{Coord, LineString, MultiPoint, Point};
use runtime::prelude::*;

/// The largest coordinate magnitude a hull is computed for: the hull's
/// cross products must stay finite (found by fuzzing: beyond it geo's
/// quickhull compares NaNs and panics).
pub const HULL_LIMIT: f64 = 1e150;

/// The convex hull of a set of coordinates: a point for one distinct
/// coordinate, a line segment when all are collinear, else a polygon (its
/// exterior counter-clockwise). The coordinates are sorted and deduplicated
/// first, so the result does not depend on their order. `None` when empty;
/// an error for a coordinate beyond ±[`HULL_LIMIT`].
pub fn hull_of(mut coords: Vec<Coord<f64>>, srid: i32) -> Result<Option<Geometry>, String> {
    coords.retain(|c| c.x.is_finite() && c.y.is_finite());
    if let Some(c) = coords
        .iter()
        .find(|c| c.x.abs() > HULL_LIMIT || c.y.abs() > HULL_LIMIT)
    {
        return Err(format!(
            "coordinate ({:e}, {:e}) is beyond ±{HULL_LIMIT:e}, too large for a convex hull",
            c.x, c.y
        ));
    }
    coords.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    coords.dedup();
    let shape: geo_types::Geometry<f64> = match coords.len() {
        0 => return Ok(None),
        1 => Point(coords[0]).into(),
        _ => {
            let hull = MultiPoint::from(coords.iter().map(|c| Point(*c)).collect::<Vec<_>>())
                .convex_hull();
            if hull.unsigned_area() > 0.0 {
                hull.into()
            } else {
                // Collinear: sorted, the first and last are the extremes.
                LineString::new(vec![coords[0], coords[coords.len() - 1]]).into()
            }
        }
    };
    Ok(Some(Geometry::new(srid, shape)))
}

/// Every coordinate of a geometry.
pub fn coords_of(geometry: &Geometry) -> Vec<Coord<f64>> {
    let mut coords = Vec::new();
    for_each_coord(&geometry.shape, &mut |c| coords.push(c));
    coords
}

/// The convex hull of a geometry, in its SRID.
#[sql_function(name = "fn_GeometryConvexHull", deterministic)]
pub fn geometry_convex_hull(geometry: Geometry) -> Result<Option<Geometry>, String> {
    hull_of(coords_of(&geometry), geometry.srid)
}

/// The longitude/latitude box around a geography value, as a polygon in its
/// SRID (exterior counter-clockwise, as SQL Server's geography wants it);
/// a point or a line along a meridian or parallel has no area and is
/// returned as is. Boxes that cross the antimeridian are not split.
#[sql_function(name = "fn_GeographyBoundingBox", deterministic)]
pub fn geography_bounding_box(geography: Geography) -> Option<Geography> {
    let coords = {
        let mut coords = Vec::new();
        for_each_coord(&geography.shape, &mut |c| coords.push(c));
        coords
    };
    let first = *coords.first()?;
    let (min, max) = coords.iter().fold((first, first), |(lo, hi), c| {
        (
            Coord {
                x: lo.x.min(c.x),
                y: lo.y.min(c.y),
            },
            Coord {
                x: hi.x.max(c.x),
                y: hi.y.max(c.y),
            },
        )
    });
    if min.x == max.x || min.y == max.y {
        return Some(geography);
    }
    let ring = LineString::new(vec![
        min,
        Coord { x: max.x, y: min.y },
        max,
        Coord { x: min.x, y: max.y },
        min,
    ]);
    Some(Geography::new(
        geography.srid,
        geo_types::Polygon::new(ring, Vec::new()),
    ))
}

/// A 3-D point (three float32: x, y, z) seen from a direction, as a 2-D
/// GEOMETRY point: an orthographic projection. The view turns `azimuth`
/// degrees about the z axis and looks down `elevation` degrees from the
/// horizon; azimuth 0 and elevation 90 is the plan view, POINT(x y).
#[sql_function(name = "fn_SpatialProjectPoint", deterministic)]
pub fn spatial_project_point(
    point: &[f32],
    azimuth: f64,
    elevation: f64,
    srid: i32,
) -> Result<Option<Geometry>, String> {
    let [x, y, z] = <[f32; 3]>::try_from(point).map_err(|_| {
        format!(
            "@point holds {} values; a 3-D point is three float32 (x, y, z)",
            point.len()
        )
    })?;
    if !(0..=MAX_SRID).contains(&srid) {
        return Err(format!("@srid {srid} is out of range 0..{MAX_SRID}"));
    }
    let (x, y, z) = (f64::from(x), f64::from(y), f64::from(z));
    let (sin_a, cos_a) = azimuth.to_radians().sin_cos();
    let (sin_e, cos_e) = elevation.to_radians().sin_cos();
    // Turn the world by −azimuth about z, then tilt it by the elevation.
    let along = x * cos_a + y * sin_a;
    let across = -x * sin_a + y * cos_a;
    let screen = Point::new(along, across * sin_e + z * cos_e);
    Ok(Some(Geometry::new(srid, screen)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(g: &Geometry, x: f64, y: f64) -> bool {
        matches!(g.shape, geo_types::Geometry::Point(p) if (p.x() - x).abs() < 1e-9 && (p.y() - y).abs() < 1e-9)
    }

    #[test]
    fn projection_views() {
        let plan = spatial_project_point(&[1.0, 2.0, 3.0], 0.0, 90.0, 0)
            .unwrap()
            .unwrap();
        assert!(close(&plan, 1.0, 2.0), "{plan:?}");
        let front = spatial_project_point(&[1.0, 2.0, 3.0], 0.0, 0.0, 4326)
            .unwrap()
            .unwrap();
        assert!(close(&front, 1.0, 3.0) && front.srid == 4326, "{front:?}");
        let turned = spatial_project_point(&[1.0, 0.0, 0.0], 90.0, 90.0, 0)
            .unwrap()
            .unwrap();
        assert!(close(&turned, 0.0, -1.0), "{turned:?}");
        assert!(
            spatial_project_point(&[1.0, 2.0], 0.0, 0.0, 0)
                .unwrap_err()
                .contains("holds 2 values")
        );
        assert!(spatial_project_point(&[1.0, 2.0, 3.0], 0.0, 0.0, -1).is_err());
    }

    #[test]
    fn geography_boxes_wind_counter_clockwise() {
        let line = Geography::new(
            4326,
            LineString::from(vec![(-122.36, 47.656), (-122.343, 47.7)]),
        );
        let boxed = geography_bounding_box(line).unwrap();
        let geo_types::Geometry::Polygon(p) = &boxed.shape else {
            panic!("{boxed:?}")
        };
        assert_eq!(boxed.srid, 4326);
        // Positive signed area: counter-clockwise.
        assert!(p.signed_area() > 0.0);
        let point = Geography::new(4326, Point::new(1.0, 2.0));
        assert_eq!(geography_bounding_box(point.clone()), Some(point));
    }

    #[test]
    fn hulls_of_points_lines_and_areas() {
        let c = |x: f64, y: f64| Coord { x, y };
        assert_eq!(hull_of(vec![], 0), Ok(None));
        // Found by fuzzing: beyond the limit, an error rather than geo's panic.
        assert!(hull_of(vec![c(1e300, 0.0), c(0.0, 1e300), c(-1e300, 5.0)], 0).is_err());
        let one = hull_of(vec![c(1.0, 1.0), c(1.0, 1.0)], 7).unwrap().unwrap();
        assert_eq!(one, Geometry::new(7, Point::new(1.0, 1.0)));
        let line = hull_of(vec![c(2.0, 2.0), c(0.0, 0.0), c(1.0, 1.0)], 0)
            .unwrap()
            .unwrap();
        assert_eq!(
            line.shape,
            LineString::new(vec![c(0.0, 0.0), c(2.0, 2.0)]).into()
        );
        let square = hull_of(
            vec![
                c(0.0, 0.0),
                c(2.0, 0.0),
                c(1.0, 1.0),
                c(2.0, 2.0),
                c(0.0, 2.0),
            ],
            0,
        )
        .unwrap()
        .unwrap();
        let geo_types::Geometry::Polygon(p) = &square.shape else {
            panic!("{square:?}")
        };
        assert_eq!(p.unsigned_area(), 4.0);
        assert_eq!(p.exterior().0.len(), 5, "four corners, closed");
        // Order does not matter.
        let shuffled = hull_of(
            vec![
                c(2.0, 2.0),
                c(1.0, 1.0),
                c(0.0, 2.0),
                c(2.0, 0.0),
                c(0.0, 0.0),
            ],
            0,
        );
        assert_eq!(shuffled, Ok(Some(square)));
    }
}
