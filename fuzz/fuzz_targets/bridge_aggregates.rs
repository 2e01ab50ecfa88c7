//! Aggregate exports: the fuzzer's bytes are a program of Init, Accumulate
//! (arbitrary vectors, geometries, k, ordinals), Merge, Write + Read,
//! Read of arbitrary bytes, Terminate and free over four instances of one
//! aggregate, as SQL Server may call them in any order. Every state is freed
//! at the end and the live-state count must return to where it started.
//! Programs are kept to 24 calls and vectors to 16 elements: the quadratic
//! covariance and the iterative median and k-means stay cheap enough for 10⁷
//! runs, and every path (dimension set, mismatch, odd tails, bad states) is
//! reached at that size.
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
// The exports below live in `functions`; nothing else names the crate.
extern crate functions;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::{HsBuf, STATUS_VALUE, hs_aggregate_free, hs_aggregate_live_states};
use std::ffi::c_void;

type Handle = *mut c_void;

unsafe extern "C" {
    fn hs_dbo__VectorCentroid__init(out: *mut Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCentroid__accumulate(h: Handle, p: *const u8, l: i32, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCentroid__merge(h: Handle, o: Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCentroid__terminate(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCentroid__save(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCentroid__restore(p: *const u8, l: i32, out: *mut Handle, err: *mut HsBuf) -> i32;

    fn hs_dbo__VectorMeanVariance__init(out: *mut Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorMeanVariance__accumulate(h: Handle, p: *const u8, l: i32, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorMeanVariance__merge(h: Handle, o: Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorMeanVariance__terminate(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorMeanVariance__save(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorMeanVariance__restore(p: *const u8, l: i32, out: *mut Handle, err: *mut HsBuf) -> i32;

    fn hs_dbo__VectorCovariance__init(out: *mut Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCovariance__accumulate(h: Handle, p: *const u8, l: i32, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCovariance__merge(h: Handle, o: Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCovariance__terminate(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCovariance__save(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorCovariance__restore(p: *const u8, l: i32, out: *mut Handle, err: *mut HsBuf) -> i32;

    fn hs_dbo__GeometricMedian__init(out: *mut Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__GeometricMedian__accumulate(h: Handle, p: *const u8, l: i32, err: *mut HsBuf) -> i32;
    fn hs_dbo__GeometricMedian__merge(h: Handle, o: Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__GeometricMedian__terminate(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__GeometricMedian__save(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__GeometricMedian__restore(p: *const u8, l: i32, out: *mut Handle, err: *mut HsBuf) -> i32;

    fn hs_dbo__SpatialConvexHull__init(out: *mut Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__SpatialConvexHull__accumulate(h: Handle, p: *const u8, l: i32, err: *mut HsBuf) -> i32;
    fn hs_dbo__SpatialConvexHull__merge(h: Handle, o: Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__SpatialConvexHull__terminate(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__SpatialConvexHull__save(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__SpatialConvexHull__restore(p: *const u8, l: i32, out: *mut Handle, err: *mut HsBuf) -> i32;

    fn hs_dbo__VectorKMeansCluster__init(out: *mut Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorKMeansCluster__accumulate(h: Handle, p: *const u8, l: i32, k: i32, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorKMeansCluster__merge(h: Handle, o: Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorKMeansCluster__terminate(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorKMeansCluster__save(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__VectorKMeansCluster__restore(p: *const u8, l: i32, out: *mut Handle, err: *mut HsBuf) -> i32;

    fn hs_dbo__DTWDistance__init(out: *mut Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__DTWDistance__accumulate(h: Handle, o: i64, p: *const u8, l: i32, rp: *const u8, rl: i32, err: *mut HsBuf) -> i32;
    fn hs_dbo__DTWDistance__merge(h: Handle, o: Handle, err: *mut HsBuf) -> i32;
    fn hs_dbo__DTWDistance__terminate(h: Handle, out: *mut f64, err: *mut HsBuf) -> i32;
    fn hs_dbo__DTWDistance__save(h: Handle, out: *mut HsBuf, err: *mut HsBuf) -> i32;
    fn hs_dbo__DTWDistance__restore(p: *const u8, l: i32, out: *mut Handle, err: *mut HsBuf) -> i32;
}

/// At most 16 float32 (plus an odd tail byte or three).
fn small(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.truncate(67);
    bytes
}

/// One aggregate's exports; `accumulate` reads its row from the input.
struct Exports {
    init: unsafe extern "C" fn(*mut Handle, *mut HsBuf) -> i32,
    accumulate: unsafe fn(Handle, &mut Input<'_>, *mut HsBuf) -> i32,
    merge: unsafe extern "C" fn(Handle, Handle, *mut HsBuf) -> i32,
    terminate: unsafe fn(Handle, *mut HsBuf) -> i32,
    save: unsafe extern "C" fn(Handle, *mut HsBuf, *mut HsBuf) -> i32,
    restore: unsafe extern "C" fn(*const u8, i32, *mut Handle, *mut HsBuf) -> i32,
}

/// A result in an HsBuf, freed as the C# frees it (bytes or UTF-16).
macro_rules! buffer_result {
    ($f:ident, $utf16:expr) => {{
        unsafe fn terminate(h: Handle, err: *mut HsBuf) -> i32 {
            let mut out = empty_buf();
            let status = unsafe { $f(h, &mut out, err) };
            if status == STATUS_VALUE {
                if $utf16 {
                    take_utf16(out);
                } else {
                    take_bytes(out);
                }
            }
            status
        }
        terminate
    }};
}

macro_rules! one_bytes_row {
    ($f:ident) => {{
        unsafe fn accumulate(h: Handle, input: &mut Input<'_>, err: *mut HsBuf) -> i32 {
            let v = small(input.bytes());
            let (p, l) = arg(&v);
            unsafe { $f(h, p, l, err) }
        }
        accumulate
    }};
}

fn all() -> [Exports; 7] {
    unsafe fn kmeans_row(h: Handle, input: &mut Input<'_>, err: *mut HsBuf) -> i32 {
        let v = small(input.bytes());
        let (p, l) = arg(&v);
        // Mostly small k, sometimes anything.
        let k = if input.flag() == 0 { i32::from(input.u8() % 8) } else { input.i32() };
        unsafe { hs_dbo__VectorKMeansCluster__accumulate(h, p, l, k, err) }
    }
    unsafe fn dtw_row(h: Handle, input: &mut Input<'_>, err: *mut HsBuf) -> i32 {
        let ordinal = i64::from(input.u8() % 16);
        let v = small(input.bytes());
        let r = small(input.bytes());
        let ((p, l), (rp, rl)) = (arg(&v), arg(&r));
        unsafe { hs_dbo__DTWDistance__accumulate(h, ordinal, p, l, rp, rl, err) }
    }
    unsafe fn dtw_terminate(h: Handle, err: *mut HsBuf) -> i32 {
        let mut out = 0f64;
        unsafe { hs_dbo__DTWDistance__terminate(h, &mut out, err) }
    }
    [
        Exports {
            init: hs_dbo__VectorCentroid__init,
            accumulate: one_bytes_row!(hs_dbo__VectorCentroid__accumulate),
            merge: hs_dbo__VectorCentroid__merge,
            terminate: buffer_result!(hs_dbo__VectorCentroid__terminate, false),
            save: hs_dbo__VectorCentroid__save,
            restore: hs_dbo__VectorCentroid__restore,
        },
        Exports {
            init: hs_dbo__VectorMeanVariance__init,
            accumulate: one_bytes_row!(hs_dbo__VectorMeanVariance__accumulate),
            merge: hs_dbo__VectorMeanVariance__merge,
            terminate: buffer_result!(hs_dbo__VectorMeanVariance__terminate, true),
            save: hs_dbo__VectorMeanVariance__save,
            restore: hs_dbo__VectorMeanVariance__restore,
        },
        Exports {
            init: hs_dbo__VectorCovariance__init,
            accumulate: one_bytes_row!(hs_dbo__VectorCovariance__accumulate),
            merge: hs_dbo__VectorCovariance__merge,
            terminate: buffer_result!(hs_dbo__VectorCovariance__terminate, false),
            save: hs_dbo__VectorCovariance__save,
            restore: hs_dbo__VectorCovariance__restore,
        },
        Exports {
            init: hs_dbo__GeometricMedian__init,
            accumulate: one_bytes_row!(hs_dbo__GeometricMedian__accumulate),
            merge: hs_dbo__GeometricMedian__merge,
            terminate: buffer_result!(hs_dbo__GeometricMedian__terminate, false),
            save: hs_dbo__GeometricMedian__save,
            restore: hs_dbo__GeometricMedian__restore,
        },
        Exports {
            init: hs_dbo__SpatialConvexHull__init,
            accumulate: one_bytes_row!(hs_dbo__SpatialConvexHull__accumulate),
            merge: hs_dbo__SpatialConvexHull__merge,
            terminate: buffer_result!(hs_dbo__SpatialConvexHull__terminate, false),
            save: hs_dbo__SpatialConvexHull__save,
            restore: hs_dbo__SpatialConvexHull__restore,
        },
        Exports {
            init: hs_dbo__VectorKMeansCluster__init,
            accumulate: kmeans_row,
            merge: hs_dbo__VectorKMeansCluster__merge,
            terminate: buffer_result!(hs_dbo__VectorKMeansCluster__terminate, false),
            save: hs_dbo__VectorKMeansCluster__save,
            restore: hs_dbo__VectorKMeansCluster__restore,
        },
        Exports {
            init: hs_dbo__DTWDistance__init,
            accumulate: dtw_row,
            merge: hs_dbo__DTWDistance__merge,
            terminate: dtw_terminate,
            save: hs_dbo__DTWDistance__save,
            restore: hs_dbo__DTWDistance__restore,
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let before = hs_aggregate_live_states();
    let mut input = Input(data);
    let exports = &all()[usize::from(input.u8()) % 7];
    let mut slots: [Handle; 4] = [std::ptr::null_mut(); 4];
    let free = |h: &mut Handle| {
        unsafe { hs_aggregate_free(*h) };
        *h = std::ptr::null_mut();
    };
    for _ in 0..24 {
        if input.0.is_empty() {
            break;
        }
        let op = input.u8();
        let s = usize::from(op >> 4) % 4;
        let t = usize::from(op >> 6);
        let mut err = empty_buf();
        unsafe {
            match op % 8 {
                0 => {
                    free(&mut slots[s]);
                    let mut h = std::ptr::null_mut();
                    if finish((exports.init)(&mut h, &mut err), err) == STATUS_VALUE {
                        slots[s] = h;
                    }
                }
                1 | 2 => {
                    finish((exports.accumulate)(slots[s], &mut input, &mut err), err);
                }
                3 => {
                    finish((exports.merge)(slots[s], slots[t], &mut err), err);
                }
                4 => {
                    let mut out = empty_buf();
                    if finish((exports.save)(slots[s], &mut out, &mut err), err) == STATUS_VALUE {
                        let saved = take_bytes(out);
                        let (p, l) = arg(&saved);
                        let mut h = std::ptr::null_mut();
                        let mut err = empty_buf();
                        let status = finish((exports.restore)(p, l, &mut h, &mut err), err);
                        assert_eq!(status, STATUS_VALUE, "a saved state restores");
                        free(&mut slots[t]);
                        slots[t] = h;
                    }
                }
                5 => {
                    let bytes = input.bytes();
                    let (p, l) = arg(&bytes);
                    let mut h = std::ptr::null_mut();
                    if finish((exports.restore)(p, l, &mut h, &mut err), err) == STATUS_VALUE {
                        free(&mut slots[s]);
                        slots[s] = h;
                    }
                }
                6 => {
                    finish((exports.terminate)(slots[s], &mut err), err);
                }
                _ => free(&mut slots[s]),
            }
        }
    }
    for h in &mut slots {
        free(h);
    }
    assert_eq!(hs_aggregate_live_states(), before, "every state freed");
});
