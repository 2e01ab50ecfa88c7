//! Spatial exports: arbitrary bytes as SRID + WKB, and well-formed
//! geometries written by the bridge's own writer that must come back.
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
// The exports below live in `functions`; nothing else names the crate.
extern crate functions;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::{HsBuf, STATUS_VALUE};
use runtime::geometry::{Geometry, geo_types};

unsafe extern "C" {
    fn hs_dbo__fn_5fGeometryConvexHull(p: *const u8, l: i32, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__fn_5fGeographyBoundingBox(p: *const u8, l: i32, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__fn_5fSpatialProjectPoint(
        p: *const u8,
        l: i32,
        azimuth: f64,
        elevation: f64,
        srid: i32,
        out: *mut HsBuf,
        err: *mut HsBuf,
    ) -> i32;
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let which = input.u8() % 3;
    let bytes = if input.flag() == 0 {
        input.0.to_vec()
    } else {
        // A multipoint of the fuzzer's doubles, in a valid SRID.
        let srid = input.i32().rem_euclid(1_000_000);
        let points: Vec<geo_types::Point<f64>> = input
            .0
            .chunks_exact(16)
            .map(|c| {
                let x = f64::from_le_bytes(c[..8].try_into().unwrap());
                let y = f64::from_le_bytes(c[8..].try_into().unwrap());
                geo_types::Point::new(x, y)
            })
            .collect();
        Geometry::new(srid, geo_types::MultiPoint(points)).to_bridge()
    };
    let (p, l) = arg(&bytes);
    let mut out = empty_buf();
    let mut err = empty_buf();
    let status = unsafe {
        match which {
            0 => hs_dbo__fn_5fGeometryConvexHull(p, l, &mut out, &mut err),
            1 => hs_dbo__fn_5fGeographyBoundingBox(p, l, &mut out, &mut err),
            _ => {
                let (azimuth, elevation, srid) = (input.f64(), input.f64(), input.i32());
                hs_dbo__fn_5fSpatialProjectPoint(p, l, azimuth, elevation, srid, &mut out, &mut err)
            }
        }
    };
    if finish(status, err) == STATUS_VALUE {
        // What the bridge writes, it reads back.
        let result = take_bytes(out);
        assert!(Geometry::from_bridge(&result).is_ok(), "a result reads back");
    }
});
