#!/usr/bin/env bash
# Fuzzes every family of bridge export (cargo fuzz, nightly, AddressSanitizer
# with leak detection) for RUNS runs each (default 10^7) and prints one
# summary line per target. Not part of the test suite; results are recorded in
# docs/fuzzing.md. Usage: scripts/fuzz-bridge.sh [RUNS] [TARGET...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-10000000}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(bridge_vectors bridge_text bridge_rows bridge_procedure bridge_json bridge_aggregates bridge_geometry)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p fuzz/logs
for target in "${targets[@]}"; do
  log="fuzz/logs/$target.log"
  start=$(date +%s)
  if cargo +nightly fuzz run "$target" -- -runs="$runs" -print_final_stats=1 >"$log" 2>&1; then
    outcome="no crash, no panic, no leak"
  else
    outcome="FAILED (see $log)"
  fi
  done_line=$(grep -E "^Done [0-9]+ runs" "$log" | tail -1 || true)
  execs=$(grep -E "stat::number_of_executed_units" "$log" | awk '{print $2}' | tail -1)
  echo "$target: ${execs:-?} runs in $(( $(date +%s) - start )) s: $outcome. ${done_line}"
done
