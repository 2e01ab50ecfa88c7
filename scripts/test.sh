#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need (Mono,
# Microsoft's T-SQL parser, the aarch64 cross tools), then formatting, lints,
# every test, the runtime's tests again on aarch64 under QEMU (its NEON
# kernels), and a check that generated/ matches what codegen writes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-deps.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== runtime on aarch64 (NEON kernels), under qemu-aarch64"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
cargo clippy -p runtime --all-targets --locked --target aarch64-unknown-linux-gnu -- -D warnings
cargo test -p runtime --lib --locked --target aarch64-unknown-linux-gnu
echo "== codegen check"
cargo run --locked --quiet -p codegen -- check
