//! Every diagnostic code is documented in docs/diagnostics.md, and nothing
//! undocumented is listed there.

use codegen::diagnostics::Code;

#[test]
fn every_code_has_a_documented_section() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/diagnostics.md");
    let text = std::fs::read_to_string(path).expect("docs/diagnostics.md exists");
    let documented: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.split(':').next())
        .collect();
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    for code in &codes {
        assert!(
            documented.contains(code),
            "{code} is not documented in docs/diagnostics.md"
        );
    }
    for doc in &documented {
        assert!(
            codes.contains(doc),
            "docs/diagnostics.md documents {doc}, which no longer exists"
        );
    }
}
