//! Text and nullable-scalar exports: arbitrary UTF-16 (lone surrogates
//! included), NULL flags and integers.
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
use functions::planning::*;
use functions::spatial::*;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::STATUS_VALUE;

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let which = input.u8() % 4;
    let text = input.utf16();
    let (pt, lt) = arg(&text);
    let mut err = empty_buf();
    unsafe {
        match which {
            0 => {
                let mut out = empty_buf();
                if finish(
                    hs_dbo__fn_5fDetermineSla(pt, lt, input.i32(), &mut out, &mut err),
                    err,
                ) == STATUS_VALUE
                {
                    let sla = String::from_utf16(&take_utf16(out)).unwrap();
                    assert!(["realtime", "expedited", "standard"].contains(&sla.as_str()));
                }
            }
            1 => {
                let mut out = 0i32;
                let (n0, v0, n1, v1, n2, v2) = (
                    input.flag(),
                    input.i32(),
                    input.flag(),
                    input.u8(),
                    input.flag(),
                    input.u8(),
                );
                if finish(
                    hs_dbo__fn_5fCalculateComplexity(n0, v0, n1, v1, n2, v2, &mut out, &mut err),
                    err,
                ) == STATUS_VALUE
                {
                    assert!((1..=10).contains(&out));
                }
            }
            2 => {
                let mut out = 0i64;
                let (x, y, z) = (input.i32(), input.i32(), input.i32());
                let f = if input.flag() == 0 {
                    hs_dbo__fn_5fHilbertEncode3D
                } else {
                    hs_dbo__fn_5fMortonEncode3D
                };
                if finish(f(x, y, z, &mut out, &mut err), err) == STATUS_VALUE {
                    assert!(out >= 0);
                }
            }
            _ => {
                let mut out = 0i32;
                finish(
                    hs_dbo__fn_5fCalculateComplexity(
                        input.flag(),
                        input.i32(),
                        1,
                        0,
                        1,
                        0,
                        &mut out,
                        &mut err,
                    ),
                    err,
                );
            }
        }
    }
});
