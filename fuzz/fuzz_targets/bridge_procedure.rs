//! The procedure export: inputs with NULL flags, OUTPUT parameters written
//! back, and its result set stream.
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
use functions::planning::*;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::{STATUS_ROW, STATUS_VALUE};
use std::ffi::c_void;

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let model = input.utf16();
    let priority = input.utf16();
    let sla_in = input.utf16();
    let (n1, v1, n2, v2, n3, n4, v4, n5) = (
        input.flag(),
        input.i32(),
        input.flag(),
        input.u8(),
        input.flag(),
        input.flag(),
        input.i32(),
        input.flag(),
    );
    let stop_after = input.u8() as usize % 6;
    let ((pm, lm), (pp, lp), (ps, ls)) = (arg(&model), arg(&priority), arg(&sla_in));
    let (mut o4_null, mut o4, mut o5_null, mut o5) = (9u8, 0i32, 9u8, empty_buf());
    let mut handle: *mut c_void = std::ptr::null_mut();
    let mut err = empty_buf();
    unsafe {
        let status = hs_dbo__sp_5fPlanInference(
            pm,
            lm,
            n1,
            v1,
            n2,
            v2,
            n3,
            pp,
            lp,
            n4,
            v4,
            &mut o4_null,
            &mut o4,
            n5,
            ps,
            ls,
            &mut o5_null,
            &mut o5,
            &mut handle,
            &mut err,
        );
        if finish(status, err) != STATUS_VALUE {
            return;
        }
        assert!(o4_null <= 1 && o5_null <= 1, "outputs are written");
        if o4_null == 0 {
            assert!((1..=10).contains(&o4));
        }
        if o5_null == 0 {
            take_utf16(o5);
        }
        for _ in 0..stop_after {
            let (mut n0, mut c0, mut nc1, mut c1, mut e) =
                (0u8, empty_buf(), 0u8, 0f64, empty_buf());
            if hs_row_next__Capability(handle, &mut n0, &mut c0, &mut nc1, &mut c1, &mut e)
                != STATUS_ROW
            {
                break;
            }
            take_utf16(c0);
        }
        hs_row_free__Capability(handle);
    }
});
