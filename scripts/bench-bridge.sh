#!/usr/bin/env bash
# Per-call cost of the CLR bridge under Mono (release Rust library, optimised
# C#), next to plain C# doing the same work. Not part of the test suite:
# results are recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-test-deps.sh
cargo build --release --quiet -p functions --lib
cargo run --quiet -p codegen -- check
out=target/bench-bridge
rm -rf "$out" && mkdir -p "$out"
mcs -nologo -optimize+ -target:library -r:System.Data -out:"$out/Hartonomous.Functions.dll" $(find generated/csharp -name '*.cs' | sort)
mcs -nologo -optimize+ -r:System.Data -r:"$out/Hartonomous.Functions.dll" -out:"$out/Bench.exe" tests/bridge/Bench.cs
echo "mono $(mono --version | head -1 | sed 's/.*version \([^ ]*\).*/\1/'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
LD_LIBRARY_PATH="$PWD/target/release" mono --optimize=all "$out/Bench.exe"
