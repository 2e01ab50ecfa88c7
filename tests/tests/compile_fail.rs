//! The annotations' compile-time errors, each with its reviewed message in
//! `tests/ui/fail/*.stderr`, and programs that must compile and run. Update
//! reviewed messages with `TRYBUILD=overwrite cargo test -p workspace-tests --test compile_fail`.

#[test]
fn annotations() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
