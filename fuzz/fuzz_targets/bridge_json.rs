//! The built-in VECTOR conversion: arbitrary text, and well-formed vectors
//! that must round-trip exactly.
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::{STATUS_VALUE, hs_dbo__hs_5fVectorFromJson};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let raw = input.flag() == 0;
    let text: Vec<u8> = if raw {
        input.0.to_vec()
    } else {
        // Well-formed: the fuzzer's bytes as f32, in SQL Server's or the shortest form.
        let values: Vec<f32> = input
            .0
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .filter(|x| x.is_finite())
            .collect();
        let sql_form = data.first().is_some_and(|b| b & 2 == 0);
        let parts: Vec<String> = values
            .iter()
            .map(|x| {
                if sql_form {
                    let s = format!("{x:.7e}");
                    let (m, e) = s.split_once('e').unwrap();
                    let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                    format!("{m}e{sign}{digits:0>3}")
                } else {
                    format!("{x:?}")
                }
            })
            .collect();
        format!("[{}]", parts.join(",")).into_bytes()
    };
    let (p, l) = arg(&text);
    let mut out = empty_buf();
    let mut err = empty_buf();
    let status = unsafe { hs_dbo__hs_5fVectorFromJson(p, l, &mut out, &mut err) };
    if finish(status, err) == STATUS_VALUE {
        let bytes = take_bytes(out);
        assert_eq!(bytes.len() % 4, 0);
        if !raw {
            let text = std::str::from_utf8(&text).unwrap();
            let expected: Vec<u32> = text
                .trim_matches(['[', ']'])
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<f32>().unwrap().to_bits())
                .collect();
            let got: Vec<u32> = bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            assert_eq!(got, expected, "exact for every element");
        }
    } else {
        assert!(raw, "well-formed vectors always parse");
    }
});
