//! Every generated file, snapshotted: a change to generated SQL shows up here
//! for review. Accept reviewed changes with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test -p workspace-tests --test snapshots`).

use workspace_tests::generate_workspace;

#[test]
fn every_generated_file_matches_its_snapshot() {
    let generation = generate_workspace();
    assert!(!generation.files.is_empty());
    // A snapshot whose file is no longer generated is stale too.
    let dir = workspace_tests::workspace_root().join("tests/tests/snapshots");
    let expected: std::collections::BTreeSet<String> = generation
        .files
        .iter()
        .map(|f| format!("{}.snap", f.path.replace('/', "__")))
        .collect();
    let orphans: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".snap") && !expected.contains(n))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        orphans.is_empty(),
        "snapshots of files codegen no longer writes (delete them): {orphans:?}"
    );
    for file in &generation.files {
        let name = file.path.replace('/', "__");
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => file.path.as_str(), omit_expression => true }, {
            insta::assert_snapshot!(name, &file.contents);
        });
    }
}

#[test]
fn generated_directory_is_up_to_date() {
    // The same comparison `codegen check` makes; CI fails on a stale generated/.
    let generation = generate_workspace();
    let out = workspace_tests::workspace_root().join("generated");
    let drift = codegen::output::check(&out, &generation.files).expect("generated/ is readable");
    assert!(
        drift.is_empty(),
        "generated/ is out of date; run `cargo run -p codegen` and review:\n{}",
        drift
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
