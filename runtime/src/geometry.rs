//! `GEOMETRY` and `GEOGRAPHY` values across the bridge.
//!
//! SQL Server's spatial types cannot be CLR parameters without
//! Microsoft.SqlServer.Types, so a value crosses as bytes: its SRID (4 bytes,
//! big-endian, as `CAST(@g.STSrid AS BINARY(4))` writes it) followed by its
//! OGC well-known binary (`@g.STAsBinary()`), and comes back the same way,
//! read with `geometry::STGeomFromWKB(SUBSTRING(@b, 5, ..), CAST(SUBSTRING(@b, 1, 4) AS INT))`.
//! The generated T-SQL companions and the `hs_*ToBytes` / `hs_*FromBytes`
//! helpers do this; Rust sees a georust [`geo_types::Geometry`] and the SRID.
//!
//! The bridge is 2-D, as `STAsBinary` and `STGeomFromWKB` are: Z and M are
//! refused rather than dropped. Curves (CircularString, CompoundCurve,
//! CurvePolygon) and FullGlobe have no OGC WKB; `STCurveToLine()` first.

use geo_types::Geometry as Shape;
use std::fmt;

pub use geo_types;

/// The largest SRID SQL Server accepts for `geometry`.
pub const MAX_SRID: i32 = 999_999;

/// A SQL Server `geometry` value: a planar shape and its SRID.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    pub srid: i32,
    pub shape: Shape<f64>,
}

/// A SQL Server `geography` value: x is longitude and y latitude, in
/// degrees, as SQL Server's WKB orders them; the SRID names the ellipsoid
/// (4326 for WGS 84).
#[derive(Debug, Clone, PartialEq)]
pub struct Geography {
    pub srid: i32,
    pub shape: Shape<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeometryError {
    /// Fewer bytes than an SRID and a WKB header.
    TooShort { len: usize },
    /// An SRID outside 0..=999999: not bytes the bridge wrote.
    Srid(i64),
    /// The WKB does not parse (or is a kind OGC WKB does not have).
    Wkb(String),
    /// Z or M coordinates, which the bridge does not carry.
    Dimensions(&'static str),
    /// An empty point, which a georust geometry cannot hold.
    EmptyPoint,
    /// Bytes after the geometry.
    Trailing { extra: usize },
}

impl fmt::Display for GeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeometryError::TooShort { len } => write!(
                f,
                "{len} bytes are not a spatial value: the bridge takes 4 bytes of SRID and the WKB (dbo.hs_GeometryToBytes(@g))"
            ),
            GeometryError::Srid(srid) => write!(
                f,
                "SRID {srid} is out of range 0..{MAX_SRID}: pass dbo.hs_GeometryToBytes(@g) (or hs_GeographyToBytes), not bare WKB"
            ),
            GeometryError::Wkb(e) => write!(
                f,
                "not OGC well-known binary ({e}); curves have none: convert with STCurveToLine() first"
            ),
            GeometryError::Dimensions(d) => write!(
                f,
                "the geometry has {d} coordinates, which the bridge does not carry: pass STAsBinary() (2-D)"
            ),
            GeometryError::EmptyPoint => {
                write!(f, "an empty point (POINT EMPTY) has no coordinates")
            }
            GeometryError::Trailing { extra } => {
                write!(f, "{extra} bytes follow the geometry's WKB")
            }
        }
    }
}

impl std::error::Error for GeometryError {}

/// Reads the bridge's bytes: SRID and shape.
pub fn decode(bytes: &[u8]) -> Result<(i32, Shape<f64>), GeometryError> {
    // 4 bytes of SRID, then at least a byte order and a type.
    if bytes.len() < 9 {
        return Err(GeometryError::TooShort { len: bytes.len() });
    }
    let srid = i32::from_be_bytes(bytes[..4].try_into().expect("4 bytes"));
    if !(0..=MAX_SRID).contains(&srid) {
        return Err(GeometryError::Srid(srid.into()));
    }
    let wkb_bytes = &bytes[4..];
    // Checked first: the parser is only given well-framed 2-D WKB (found by
    // fuzzing: it panics on a point that runs past the buffer).
    let used = check_wkb(wkb_bytes, None, 0)?;
    if used < wkb_bytes.len() {
        return Err(GeometryError::Trailing {
            extra: wkb_bytes.len() - used,
        });
    }
    let wkb = wkb::reader::read_wkb(wkb_bytes).map_err(|e| GeometryError::Wkb(e.to_string()))?;
    use geo_traits::to_geo::ToGeoGeometry;
    let shape = wkb.try_to_geometry().ok_or(GeometryError::EmptyPoint)?;
    Ok((srid, shape))
}

/// How deep geometry collections may nest.
const MAX_NESTING: usize = 32;

/// Walks 2-D OGC WKB (either byte order), checking that every count and
/// coordinate fits in the buffer and that a multi-geometry holds its own
/// kind; returns the bytes the geometry takes. `want` is the type a
/// multi-geometry's member must have.
fn check_wkb(buf: &[u8], want: Option<u32>, depth: usize) -> Result<usize, GeometryError> {
    let short = || GeometryError::Wkb("the geometry runs past the end of the bytes".into());
    if depth > MAX_NESTING {
        return Err(GeometryError::Wkb(format!(
            "collections nested deeper than {MAX_NESTING}"
        )));
    }
    let little = match buf.first().ok_or_else(short)? {
        0 => false,
        1 => true,
        other => return Err(GeometryError::Wkb(format!("byte order {other}"))),
    };
    let u32_at = |at: usize| -> Result<u32, GeometryError> {
        let b: [u8; 4] = buf
            .get(at..at + 4)
            .ok_or_else(short)?
            .try_into()
            .expect("4 bytes");
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let code = u32_at(1)?;
    if code & 0xE000_0000 != 0 {
        return Err(GeometryError::Wkb(
            "PostGIS extended WKB (EWKB) flags: pass SQL Server's STAsBinary()".into(),
        ));
    }
    match code / 1000 {
        0 => {}
        1 => return Err(GeometryError::Dimensions("Z")),
        2 => return Err(GeometryError::Dimensions("M")),
        3 => return Err(GeometryError::Dimensions("Z and M")),
        _ => return Err(GeometryError::Wkb(format!("geometry type {code}"))),
    }
    if let Some(want) = want
        && code != want
    {
        return Err(GeometryError::Wkb(format!(
            "a geometry of type {code} inside a multi-geometry of type {}",
            want + 3
        )));
    }
    // Coordinates: 16 bytes each, checked against what is left.
    let coords = |count: u32, at: usize| -> Result<usize, GeometryError> {
        let end = (count as usize)
            .checked_mul(16)
            .and_then(|n| n.checked_add(at))
            .ok_or_else(short)?;
        if end > buf.len() {
            return Err(short());
        }
        Ok(end)
    };
    let mut at = 5;
    match code {
        1 => at = coords(1, at)?,
        2 => at = coords(u32_at(at)?, at + 4)?,
        3 => {
            let rings = u32_at(at)?;
            at += 4;
            for _ in 0..rings {
                at = coords(u32_at(at)?, at + 4)?;
            }
        }
        4..=7 => {
            let members = u32_at(at)?;
            at += 4;
            let member_type = (code < 7).then(|| code - 3);
            for _ in 0..members {
                at += check_wkb(buf.get(at..).ok_or_else(short)?, member_type, depth + 1)?;
            }
        }
        other => {
            return Err(GeometryError::Wkb(format!(
                "geometry type {other} has no OGC WKB (SQL Server's curves: STCurveToLine() first)"
            )));
        }
    }
    Ok(at)
}

/// Writes the bridge's bytes: SRID, then little-endian OGC WKB.
pub fn encode(srid: i32, shape: &Shape<f64>) -> Vec<u8> {
    let mut out = srid.to_be_bytes().to_vec();
    let options = wkb::writer::WriteOptions {
        endianness: wkb::Endianness::LittleEndian,
    };
    wkb::writer::write_geometry(&mut out, shape, &options)
        .expect("writing WKB into memory cannot fail");
    out
}

/// Calls `f` with every coordinate of the shape, in order.
pub fn for_each_coord(shape: &Shape<f64>, f: &mut impl FnMut(geo_types::Coord<f64>)) {
    use geo_types::{LineString, Polygon};
    fn line(l: &LineString<f64>, f: &mut impl FnMut(geo_types::Coord<f64>)) {
        l.0.iter().for_each(|c| f(*c));
    }
    fn polygon(p: &Polygon<f64>, f: &mut impl FnMut(geo_types::Coord<f64>)) {
        line(p.exterior(), f);
        p.interiors().iter().for_each(|l| line(l, f));
    }
    match shape {
        Shape::Point(p) => f(p.0),
        Shape::Line(l) => {
            f(l.start);
            f(l.end);
        }
        Shape::LineString(l) => line(l, f),
        Shape::Polygon(p) => polygon(p, f),
        Shape::MultiPoint(m) => m.0.iter().for_each(|p| f(p.0)),
        Shape::MultiLineString(m) => m.0.iter().for_each(|l| line(l, f)),
        Shape::MultiPolygon(m) => m.0.iter().for_each(|p| polygon(p, f)),
        Shape::GeometryCollection(c) => c.0.iter().for_each(|g| for_each_coord(g, f)),
        Shape::Rect(r) => r.to_polygon().exterior().0.iter().for_each(|c| f(*c)),
        Shape::Triangle(t) => t.to_array().iter().for_each(|c| f(*c)),
    }
}

/// Whether every coordinate is finite: SQL Server cannot hold NaN or ∞,
/// so a result with one becomes NULL.
pub fn is_finite(shape: &Shape<f64>) -> bool {
    let mut finite = true;
    for_each_coord(shape, &mut |c| finite &= c.x.is_finite() && c.y.is_finite());
    finite
}

macro_rules! spatial_value {
    ($ty:ident) => {
        impl $ty {
            pub fn new(srid: i32, shape: impl Into<Shape<f64>>) -> $ty {
                $ty {
                    srid,
                    shape: shape.into(),
                }
            }

            /// From the bridge's bytes (SRID, then WKB).
            pub fn from_bridge(bytes: &[u8]) -> Result<$ty, GeometryError> {
                decode(bytes).map(|(srid, shape)| $ty { srid, shape })
            }

            /// The bridge's bytes (SRID, then WKB).
            pub fn to_bridge(&self) -> Vec<u8> {
                encode(self.srid, &self.shape)
            }

            pub fn is_finite(&self) -> bool {
                is_finite(&self.shape)
            }
        }
    };
}

spatial_value!(Geometry);
spatial_value!(Geography);

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Coord, LineString, Point, Polygon, point};

    fn framed(srid: i32, wkb: &[u8]) -> Vec<u8> {
        let mut out = srid.to_be_bytes().to_vec();
        out.extend_from_slice(wkb);
        out
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn reads_what_sql_server_writes() {
        // SQL Server's documented STAsBinary of POINT (100 100) and of a
        // two-point MultiPoint.
        let point = hex("010100000000000000000059400000000000005940");
        let g = Geometry::from_bridge(&framed(0, &point)).unwrap();
        assert_eq!(g.shape, Shape::Point(point! { x: 100.0, y: 100.0 }));
        let multi = hex(
            "010400000002000000010100000000000000000059400000000000005940010100000000000000000069400000000000006940",
        );
        let g = Geometry::from_bridge(&framed(0, &multi)).unwrap();
        let Shape::MultiPoint(points) = &g.shape else {
            panic!("{:?}", g.shape)
        };
        assert_eq!(points.0.len(), 2);
        // A geography LineString in SRID 4326: longitude first.
        let line = hex(
            "010200000002000000D7A3703D0A975EC08716D9CEF7D34740CBA145B6F3955EC08716D9CEF7D34740",
        );
        let g = Geography::from_bridge(&framed(4326, &line)).unwrap();
        assert_eq!(g.srid, 4326);
        let Shape::LineString(ls) = &g.shape else {
            panic!()
        };
        assert!((ls.0[0].x + 122.36).abs() < 1e-9 && (ls.0[0].y - 47.656).abs() < 1e-9);
    }

    #[test]
    fn round_trips_every_kind() {
        let square = Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (4.0, 0.0),
                (4.0, 4.0),
                (0.0, 4.0),
                (0.0, 0.0),
            ]),
            vec![LineString::from(vec![
                (1.0, 1.0),
                (2.0, 1.0),
                (2.0, 2.0),
                (1.0, 1.0),
            ])],
        );
        let shapes: Vec<Shape<f64>> = vec![
            Point::new(-1.5, 2.25).into(),
            LineString::from(vec![(0.0, 0.0), (1.0, 1e-300)]).into(),
            square.clone().into(),
            geo_types::MultiPolygon(vec![square.clone(), square]).into(),
            Shape::GeometryCollection(geo_types::GeometryCollection(vec![
                Point::new(1.0, 2.0).into(),
            ])),
        ];
        for shape in shapes {
            for srid in [0, 4326, MAX_SRID] {
                let g = Geometry::new(srid, shape.clone());
                assert_eq!(Geometry::from_bridge(&g.to_bridge()).unwrap(), g);
            }
        }
    }

    #[test]
    fn bad_bytes_are_named_errors() {
        let point = hex("010100000000000000000059400000000000005940");
        assert_eq!(
            Geometry::from_bridge(&point[..5]),
            Err(GeometryError::TooShort { len: 5 })
        );
        // Bare WKB: its first 4 bytes read as a huge SRID.
        assert!(matches!(
            Geometry::from_bridge(&point),
            Err(GeometryError::Srid(_))
        ));
        let mut long = framed(0, &point);
        long.push(0);
        assert_eq!(
            Geometry::from_bridge(&long),
            Err(GeometryError::Trailing { extra: 1 })
        );
        // SQL Server's documented AsBinaryZM of POINT (1 1 2 3).
        let zm = hex("01B90B0000000000000000F03F000000000000F03F00000000000000400000000000000840");
        assert_eq!(
            Geometry::from_bridge(&framed(0, &zm)),
            Err(GeometryError::Dimensions("Z and M"))
        );
        // A CircularString (type 8) has no OGC WKB.
        let curve = framed(0, &hex("0108000000000000000000"));
        let err = Geometry::from_bridge(&curve).unwrap_err();
        assert!(err.to_string().contains("STCurveToLine"), "{err}");
        // Found by fuzzing: a multipoint whose point runs past the bytes, and
        // a member of the wrong kind, are errors, not the parser's panic.
        let truncated = framed(0, &hex("0104000000010000000101000000000000000000F03F"));
        assert!(
            Geometry::from_bridge(&truncated)
                .unwrap_err()
                .to_string()
                .contains("runs past the end"),
        );
        let wrong_member = framed(0, &hex("010400000001000000010200000000000000"));
        assert!(Geometry::from_bridge(&wrong_member).is_err());
        // Big-endian WKB is OGC WKB too.
        let big = framed(0, &hex("00000000013FF00000000000004000000000000000"));
        assert_eq!(
            Geometry::from_bridge(&big).unwrap().shape,
            Shape::Point(Point::new(1.0, 2.0))
        );
        // POINT EMPTY: NaN coordinates.
        let empty = framed(0, &hex("0101000000000000000000F87F000000000000F87F"));
        assert_eq!(
            Geometry::from_bridge(&empty),
            Err(GeometryError::EmptyPoint)
        );
        assert!(!is_finite(&Shape::Point(Point(Coord {
            x: f64::NAN,
            y: 0.0
        }))));
    }
}
