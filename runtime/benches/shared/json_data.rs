//! The data the VECTOR text measurements share (`benches/json_vector.rs`,
//! `examples/json_vector_timing.rs`): 1998 values spread like a normalised
//! embedding, and SQL Server 2025's text for them.

/// Deterministic values spread like a normalised embedding (about half
/// negative).
pub fn embedding() -> Vec<f32> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..1998)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.2
        })
        .collect()
}

/// SQL Server 2025's form: each element `%.7e` with a signed three-digit
/// exponent.
pub fn sql_server_form(values: &[f32]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|x| {
            let s = format!("{x:.7e}");
            let (m, e) = s.split_once('e').expect("exponent");
            let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
            format!("{m}e{sign}{digits:0>3}")
        })
        .collect();
    format!("[{}]", parts.join(","))
}
