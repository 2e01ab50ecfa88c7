//! Row streams: a table-valued function's handle, stepped and freed as the
//! C# does, sometimes abandoned before the end (SQL Server may stop early).
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
use functions::planning::*;
use functions::spatial::*;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::{STATUS_DONE, STATUS_ROW, STATUS_VALUE};
use std::ffi::c_void;

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let which = input.u8() % 2;
    let stop_after = input.u8() as usize % 8;
    let mut err = empty_buf();
    let mut handle: *mut c_void = std::ptr::null_mut();
    unsafe {
        if which == 0 {
            let text = input.utf16();
            let (pt, lt) = arg(&text);
            if finish(
                hs_dbo__fn_5fParseModelCapabilities(pt, lt, &mut handle, &mut err),
                err,
            ) != STATUS_VALUE
            {
                return;
            }
            for _ in 0..stop_after {
                let (mut n0, mut c0, mut n1, mut c1, mut e) =
                    (0u8, empty_buf(), 0u8, 0f64, empty_buf());
                let status =
                    hs_row_next__Capability(handle, &mut n0, &mut c0, &mut n1, &mut c1, &mut e);
                assert!(status == STATUS_ROW || status == STATUS_DONE || finish(status, e) != 0);
                if status != STATUS_ROW {
                    break;
                }
                assert_eq!(n0, 0);
                take_utf16(c0);
                assert!(n1 == 1 || c1.is_finite());
            }
            hs_row_free__Capability(handle);
        } else {
            let key = input.i64();
            let f = if input.flag() == 0 {
                hs_dbo__fn_5fHilbertDecode3D
            } else {
                hs_dbo__fn_5fMortonDecode3D
            };
            if finish(f(key, &mut handle, &mut err), err) != STATUS_VALUE {
                assert!(key < 0);
                return;
            }
            for _ in 0..stop_after {
                let mut cells = [(0u8, 0i32); 3];
                let mut e = empty_buf();
                let [a, b, c] = &mut cells;
                let status = hs_row_next__GridPoint(
                    handle, &mut a.0, &mut a.1, &mut b.0, &mut b.1, &mut c.0, &mut c.1, &mut e,
                );
                if status != STATUS_ROW {
                    assert_eq!(status, STATUS_DONE);
                    break;
                }
                assert!(
                    cells
                        .iter()
                        .all(|(null, v)| *null == 0 && (0..1 << 21).contains(v))
                );
            }
            hs_row_free__GridPoint(handle);
        }
    }
});
