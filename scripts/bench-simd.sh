#!/usr/bin/env bash
# Our vector kernels against SimSIMD and numpy, next to the machine's read
# bandwidth, on the same 1998-dimension data: one pair (cache hot), 1,000
# rows (cache resident) and 200,000 rows (1.6 GB, memory bound), on 1 and 2
# threads. Not part of the test suite; results go to
# target/bench-simd/results.md and are recorded in docs/benchmarks.md.
#
# Needs about 4 GB of memory (the block in Rust, then again in numpy) and
# downloads numpy and simsimd from PyPI into .tools/bench-venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=target/bench-simd
mkdir -p "$out"

venv=.tools/bench-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check 'numpy==2.*' 'simsimd==6.*'

CARGO_TARGET_DIR="$PWD/target" cargo build --release --quiet --manifest-path bench-simd/Cargo.toml
echo "rust side: our kernels and SimSIMD's crate, one process" >&2
target/release/bench-simd "$out" > "$out/rust.jsonl"
: > "$out/python.jsonl"
for threads in 1 2; do
    echo "python side: numpy and SimSIMD's own batch API, $threads thread(s)" >&2
    OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads \
        "$venv/bin/python" scripts/bench_simd.py measure "$out" "$threads" >> "$out/python.jsonl"
done
"$venv/bin/python" scripts/bench_simd.py report "$out" | tee "$out/results.md"
