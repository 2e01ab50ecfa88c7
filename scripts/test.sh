#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need (Mono and
# Microsoft's T-SQL parser), then formatting, lints, every test, and a check
# that generated/ matches what codegen writes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-deps.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== codegen check"
cargo run --locked --quiet -p codegen -- check
