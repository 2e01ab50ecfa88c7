#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, idempotently:
# Mono (to run Microsoft's T-SQL parser, ScriptDom), the mssql-cli wheel that
# ships ScriptDom, and what runs the runtime's tests on aarch64 (the Rust
# target, a cross linker and QEMU's user-mode emulator). Nothing downloaded
# here is committed; the wheel lives under .tools/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

if ! command -v mcs >/dev/null 2>&1 || ! command -v mono >/dev/null 2>&1; then
  echo "install-test-deps: installing mono-devel (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mono-devel >/dev/null
fi

if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
  echo "install-test-deps: installing the aarch64 cross linker and qemu-user (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
fi
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  echo "install-test-deps: adding the aarch64-unknown-linux-gnu Rust target (rustup)" >&2
  rustup target add aarch64-unknown-linux-gnu >/dev/null
fi

wheel_dir="$tools/mssql-cli"
if [ ! -f "$wheel_dir/.unpacked" ]; then
  echo "install-test-deps: fetching mssql-cli==1.0.0 wheel (pip) for ScriptDom" >&2
  rm -rf "$wheel_dir"
  mkdir -p "$wheel_dir"
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux1_x86_64 --python-version 3.8 \
    -d "$wheel_dir" "mssql-cli==1.0.0"
  (cd "$wheel_dir" && python3 -m zipfile -e mssql_cli-*.whl unpacked)
  touch "$wheel_dir/.unpacked"
fi
