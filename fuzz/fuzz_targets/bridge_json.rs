//! The built-in VECTOR conversion: arbitrary text; well-formed vectors in
//! SQL Server's form, the shortest form and `print_vector`'s, which must
//! round-trip exactly; and SQL Server's form with bytes damaged, which is
//! either refused or read as the standard library reads each element.
#![no_main]

#[path = "common.rs"]
mod common;

use common::*;
use libfuzzer_sys::fuzz_target;
use runtime::ffi::{STATUS_VALUE, hs_dbo__hs_5fVectorFromJson};

/// How the text is made from the fuzzer's bytes.
#[derive(PartialEq)]
enum Form {
    Raw,
    SqlServer,
    Shortest,
    Printed,
    Damaged,
}

/// `%.7e` with a signed three-digit exponent, as SQL Server writes vectors.
fn sql_server(x: f32) -> String {
    let s = format!("{x:.7e}");
    let (m, e) = s.split_once('e').unwrap();
    let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
    format!("{m}e{sign}{digits:0>3}")
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let form = match input.u8() % 8 {
        0..=2 => Form::Raw,
        3 => Form::SqlServer,
        4 => Form::Shortest,
        5 => Form::Printed,
        _ => Form::Damaged,
    };
    // Up to four (position, byte) pairs to damage the text with.
    let damage: Vec<(usize, u8)> = if form == Form::Damaged {
        (0..input.u8() % 4 + 1)
            .map(|_| (input.u8() as usize * 7 + input.u8() as usize, input.u8()))
            .collect()
    } else {
        Vec::new()
    };
    let text: Vec<u8> = if form == Form::Raw {
        input.0.to_vec()
    } else {
        // The fuzzer's bytes as f32.
        let values: Vec<f32> = input
            .0
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .filter(|x| x.is_finite())
            .collect();
        let mut text = match form {
            Form::Printed => runtime::json::print_vector(&values).unwrap().into_bytes(),
            Form::Shortest => {
                let parts: Vec<String> = values.iter().map(|x| format!("{x:?}")).collect();
                format!("[{}]", parts.join(",")).into_bytes()
            }
            _ => {
                let parts: Vec<String> = values.iter().map(|x| sql_server(*x)).collect();
                format!("[{}]", parts.join(",")).into_bytes()
            }
        };
        for (at, byte) in &damage {
            if !text.is_empty() {
                let i = at % text.len();
                text[i] = *byte;
            }
        }
        text
    };
    let (p, l) = arg(&text);
    let mut out = empty_buf();
    let mut err = empty_buf();
    let status = unsafe { hs_dbo__hs_5fVectorFromJson(p, l, &mut out, &mut err) };
    let checked = matches!(
        form,
        Form::SqlServer | Form::Shortest | Form::Printed | Form::Damaged
    );
    if finish(status, err) == STATUS_VALUE {
        let bytes = take_bytes(out);
        assert_eq!(bytes.len() % 4, 0);
        if checked {
            // Accepted text is JSON, so each element reads with `str::parse`.
            let text = std::str::from_utf8(&text).expect("accepted text is UTF-8");
            let expected: Vec<u32> = text
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(str::trim)
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
        assert!(
            matches!(form, Form::Raw | Form::Damaged),
            "well-formed vectors always parse"
        );
    }
});
