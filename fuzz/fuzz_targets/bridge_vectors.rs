//! Vector exports (two vectors → FLOAT, vector → vector, vector + FLOAT →
//! vector, vector → INT, fixed-dimension vectors) with arbitrary bytes.
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
use functions::vector::*;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::{HsBuf, STATUS_VALUE};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let which = input.u8() % 13;
    let a = input.bytes();
    let b = input.bytes();
    let x = input.f64();
    let ((pa, la), (pb, lb)) = (arg(&a), arg(&b));
    let mut err = empty_buf();
    unsafe {
        match which {
            0..=3 => {
                let mut out = f64::NAN;
                let f = [
                    hs_dbo__fn_5fVectorDotProduct,
                    hs_dbo__fn_5fCosineSimilarity,
                    hs_dbo__fn_5fEuclideanDistance,
                    hs_dbo__fn_5fEmbeddingCosine,
                ][which as usize];
                if finish(f(pa, la, pb, lb, &mut out, &mut err), err) == STATUS_VALUE {
                    assert!(out.is_finite(), "FLOAT results are finite");
                }
            }
            4 | 5 => {
                let mut out = empty_buf();
                let f = if which == 4 {
                    hs_dbo__fn_5fVectorAdd
                } else {
                    hs_dbo__fn_5fVectorSubtract
                };
                if finish(f(pa, la, pb, lb, &mut out, &mut err), err) == STATUS_VALUE {
                    assert_eq!(take_bytes(out).len(), a.len());
                }
            }
            6 => {
                let mut out = empty_buf();
                if finish(
                    hs_dbo__fn_5fVectorLerp(pa, la, pb, lb, x, &mut out, &mut err),
                    err,
                ) == STATUS_VALUE
                {
                    take_bytes(out);
                }
            }
            7 => {
                let mut out = empty_buf();
                if finish(hs_dbo__fn_5fVectorScale(pa, la, x, &mut out, &mut err), err)
                    == STATUS_VALUE
                {
                    take_bytes(out);
                }
            }
            8 | 9 => {
                let mut out: HsBuf = empty_buf();
                let f = if which == 8 {
                    hs_dbo__fn_5fVectorNormalize
                } else {
                    hs_dbo__fn_5fVectorSoftmax
                };
                if finish(f(pa, la, &mut out, &mut err), err) == STATUS_VALUE {
                    assert_eq!(take_bytes(out).len(), a.len());
                }
            }
            10 => {
                let mut out = 0f64;
                finish(hs_dbo__fn_5fVectorNorm(pa, la, &mut out, &mut err), err);
            }
            11 => {
                let mut out = -1i32;
                if finish(hs_dbo__fn_5fVectorArgMax(pa, la, &mut out, &mut err), err)
                    == STATUS_VALUE
                {
                    assert!(out >= 0 && (out as usize) < a.len() / 4);
                }
            }
            _ => {
                let mut out = 0f64;
                finish(
                    hs_dbo__fn_5fEmbeddingCosine(pa, la, pb, lb, &mut out, &mut err),
                    err,
                );
            }
        }
    }
});
