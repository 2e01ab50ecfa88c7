"""The numpy side of scripts/bench-simd.sh, and the combined report.

`measure OUT THREADS`: loads the query and block the Rust harness wrote
(raw little-endian f32, the very same bytes) and times numpy, plus SimSIMD's
own Python batch API (`cdist`, which splits rows over threads itself), as
JSON lines in the Rust harness's format.

`report OUT`: one Markdown table from both result files, each case's rows
next to the read bandwidth measured for the same bytes.
"""

import json
import sys
import time
from pathlib import Path

DIM = 1998


def seconds(rounds, calls, f):
    f()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            f()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def measure(out: Path, threads: int):
    import numpy as np
    import simsimd

    query = np.fromfile(out / "query.f32", dtype="<f4")
    block = np.fromfile(out / "block.f32", dtype="<f4").reshape(-1, DIM)
    assert query.shape == (DIM,), query.shape

    def report(case, rows, who, s):
        print(json.dumps({
            "case": case, "rows": rows, "threads": threads, "who": who,
            "seconds": s, "pairs_per_second": rows / s,
            "gb_per_second": (2 if case == "pair" else rows) * DIM * 4 / s / 1e9,
        }), flush=True)

    if threads == 1:
        row = block[0]
        report("pair", 1, "numpy/cosine", seconds(15, 20_000, lambda: float(
            np.dot(query, row) / (np.linalg.norm(query) * np.linalg.norm(row)))))
        report("pair", 1, "numpy/dot", seconds(15, 20_000, lambda: float(np.dot(query, row))))
        report("pair", 1, "simsimd_python/cosine", seconds(15, 20_000, lambda: simsimd.cosine(query, row)))

    query_norm = np.linalg.norm(query)
    for rows, rounds, calls in [(1_000, 15, 20), (len(block), 3, 1)]:
        part = block[:rows]

        def numpy_top10():
            # Σab by BLAS matrix-vector product, Σb² row by row, then the 10
            # best: numpy's usual way, two passes over the rows.
            sims = (part @ query) / (np.sqrt(np.einsum("ij,ij->i", part, part)) * query_norm)
            return np.argpartition(-sims, 10)[:10]

        report("block", rows, "numpy/top10_cosine", seconds(rounds, calls, numpy_top10))
        report("block", rows, "simsimd_python/cdist_cosine", seconds(
            rounds, calls, lambda: simsimd.cdist(query[None, :], part, metric="cosine", threads=threads)))


def report(out: Path):
    results = []
    for name in ("rust.jsonl", "python.jsonl"):
        results += [json.loads(line) for line in (out / name).read_text().splitlines() if line.strip()]
    print("| case | threads | who | time | pairs/s | GB/s | of read bandwidth |")
    print("|---|---|---|---|---|---|---|")
    keys = sorted({(r["case"], r["rows"], r["threads"]) for r in results},
                  key=lambda k: (k[0] != "pair", k[1], k[2]))
    for case, rows, threads in keys:
        group = [r for r in results if (r["case"], r["rows"], r["threads"]) == (case, rows, threads)]
        bandwidth = next((r["gb_per_second"] for r in group if r["who"] == "read_bandwidth"), None)
        for r in sorted(group, key=lambda r: r["seconds"]):
            s = r["seconds"]
            shown = f"{s * 1e9:.0f} ns" if s < 1e-6 else f"{s * 1e6:.1f} µs" if s < 1e-3 else f"{s * 1e3:.1f} ms"
            share = f"{100 * r['gb_per_second'] / bandwidth:.0f} %" if bandwidth and r["who"] != "read_bandwidth" else ""
            label = "1 pair" if case == "pair" else f"{rows:,} rows"
            print(f"| {label} | {threads} | {r['who']} | {shown} | {r['pairs_per_second']:,.0f} | "
                  f"{r['gb_per_second']:.1f} | {share} |")


if __name__ == "__main__":
    command, out = sys.argv[1], Path(sys.argv[2])
    if command == "measure":
        measure(out, int(sys.argv[3]))
    elif command == "report":
        report(out)
    else:
        sys.exit(f"unknown command {command!r}: measure or report")
