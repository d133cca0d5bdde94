"""Benchmark the engine's per-line work at 1M and 10M lines (100M with --huge), side by side with its peers.

Every measured step (bench/steps.py) runs in its own Python subprocess; the parent reads that child's CPU
time with ``os.wait4`` and the child reports its own peak resident memory and the wall time of the work
itself (imports, data generation and untimed set-up excluded). Per log size:

* ``engine`` -- :func:`retention.engine.customer_table` with DuckDB on the Parquet folder: every cleaning
  rule, exact de-duplication and the ledger, every customer feature and the BG/NBD summary;
* ``anchor`` -- the same work written by hand in DuckDB SQL (bench/anchor.sql), checked against the
  engine's customer table; engine and anchor run ``--repeats`` times, alternating, and the median counts;
* ``pandas same work`` -- the same work in pandas (read the Parquet, clean_transactions,
  customer_features, rfm_summary; the pandas peer lives in bench/pandas_peer.py, the product has no pandas
  path); ``lifetimes summary`` -- lifetimes' summary of the purchase lines (no
  de-duplication); ``dedup floor`` -- the exact de-duplication alone, by hand;
* ``engine churn examples`` -- features and labels at the churn design's cutoffs in one query;
  ``engine EDA aggregates`` -- every aggregate of the EDA report; ``fits`` and ``churn scoring``.

DuckDB runs with ``memory_limit`` 2GB (3GB at 100M lines) and spills to the data folder. Once per run:
``make reports`` on the default data into a fresh output folder.

Usage::

    .venv/bin/python bench/run.py [--data-dir /tmp/retention-bench] [--huge] [--sizes 1000000 10000000]
        [--repeats 3] [--skip-reports]

Writes ``bench/results/results.csv`` and ``bench/results/results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from steps import ROOT, STEPS, step_cpu_seconds  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LINES_PER_CHUNK_CUSTOMERS = 20_000
PAIR = ("engine", "anchor")
OTHERS = ("pandas same work", "lifetimes summary", "dedup floor", "engine churn examples", "engine EDA aggregates",
          "fits", "churn scoring")
PEERS = ("anchor", "pandas same work", "lifetimes summary", "dedup floor")


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB (not ``ru_maxrss`` from ``wait4``: a child
    started with vfork/exec inherits the parent's high-water mark in it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def ensure_log(data_dir: Path, lines: int, seed: int = 1) -> Path:
    from retention.generator import write_large_log

    folder = data_dir / f"log_{lines}"
    meta = folder / "_large_log.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        if info.get("lines") == lines and info.get("seed") == seed:
            return folder
    print(f"writing a {lines:,}-line log to {folder} ...", flush=True)
    start = time.perf_counter()
    write_large_log(folder, lines, seed=seed, chunk_customers=LINES_PER_CHUNK_CUSTOMERS)
    print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    return folder


def run_child(step: str, source: Path, work: Path, timeout: float, memory_limit: str) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
               RETENTION_BENCH_MEMORY_LIMIT=memory_limit)
    result_file = work / f".{step.replace(' ', '_')}.json"
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--source", str(source),
           "--work", str(work), "--result", str(result_file)]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            os.wait4(child.pid, 0)
            return {"step": step, "failed": True, "note": f"timed out after {timeout:.0f} s"}
        time.sleep(0.05)
    out: dict[str, Any] = {"step": step, "cpu_s": usage.ru_utime + usage.ru_stime}
    if os.waitstatus_to_exitcode(status) != 0 or not result_file.exists():
        out.update(failed=True, note=f"exit code {os.waitstatus_to_exitcode(status)}")
        return out
    out.update(json.loads(result_file.read_text()))
    return out


def median_row(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time, noting every run's time and the largest peak memory."""
    good = [r for r in runs if not r.get("failed")]
    if not good:
        return runs[-1]
    middle = sorted(good, key=lambda r: r["seconds"])[(len(good) - 1) // 2]
    row = dict(middle)
    row["peak_rss_mb"] = max(r.get("peak_rss_mb", 0.0) for r in good)
    if len(good) > 1:
        times = ", ".join(f"{r['seconds']:.2f}" for r in good)
        row["note"] = f"median of {times} s; {row.get('note', '')}".strip("; ")
    return row


def machine() -> dict[str, str]:
    cpu, ram_gb = "unknown", "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        ram = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        ram_gb = f"{int(ram.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = {}
    for name in ("duckdb", "pandas", "numpy", "pyarrow", "ibis-framework", "lifetimes", "scikit-learn", "pyspark"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": ram_gb, "os": platform.platform(),
            "python": platform.python_version(), "versions": ", ".join(f"{k} {v}" for k, v in versions.items())}


def markdown(rows: list[dict[str, Any]], info: dict[str, str], notes: list[str]) -> str:
    lines = ["# Benchmark: the engine's per-line work at scale", "",
             f"Run {info['when']} by `make bench` (`bench/run.py`, {info['total']}). Machine: {info['cpu']}, "
             f"{info['cores']} cores, {info['ram']} RAM, {info['os']}; Python {info['python']}; {info['versions']}.",
             "", f"Load average before / after: {info['load_before']} / {info['load_after']} (other work on the "
             "machine shows up as load above 0 and slows every step; engine and anchor alternate, so both see it).",
             "", "Wall = time of the step inside its process (imports and untimed set-up excluded). CPU = user + "
             "system seconds of all the step's threads over the same span (for `make reports`: the whole make "
             "tree). Peak RSS = the child's own high-water mark "
             "(VmHWM: interpreter, imports and set-up included); for `make reports`, the largest process of "
             "the make tree.", "",
             "| lines | step | wall s | CPU s | peak RSS MB | customers | vs engine | note |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        wall = "failed" if row.get("failed") else f"{row['seconds']:.2f}"
        size = "default data" if row["lines"] == 0 else f"{row['lines']:,}"
        cpu = row.get("step_cpu_s") if row.get("step_cpu_s") is not None else row.get("cpu_s")
        cpu = "" if cpu is None else f"{cpu:.1f}"
        rss = "" if row.get("peak_rss_mb") is None else f"{row['peak_rss_mb']:,.0f}"
        customers = "" if row.get("customers") in (None, "") else format(int(row["customers"]), ",")
        ratio = row.get("ratio")
        lines.append(f"| {size} | {row['step']} | {wall} | {cpu} | {rss} | {customers} | "
                     f"{'' if ratio is None else f'{ratio:.2f}x'} | {row.get('note', '')} |")
    lines += ["", "`vs engine` = the step's wall time / the engine's (above 1: the engine is faster).", ""]
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def _cpu(row: dict[str, Any]) -> float | None:
    return row.get("step_cpu_s") if row.get("step_cpu_s") is not None else row.get("cpu_s")


def verdicts(rows: list[dict[str, Any]], sizes: list[int]) -> list[str]:
    """One sentence per size with the ratios; the targets of issue 15 are stated for 10M lines."""
    notes = []
    for lines in sizes:
        by = {r["step"]: r for r in rows if r["lines"] == lines and not r.get("failed")}
        if "engine" not in by:
            notes.append(f"{lines:,} lines: the engine step failed.")
            continue
        e = by["engine"]
        target = lines == 10_000_000
        parts = [f"{lines:,} lines: engine {e['seconds']:.2f} s, peak {e['peak_rss_mb']:,.0f} MB"]
        for peer, text, goal in (("anchor", "engine / hand-written anchor", 1.5), ("pandas same work",
                                                                               "pandas / engine", 4.0)):
            if peer not in by:
                continue
            a, b = (e, by[peer]) if peer == "anchor" else (by[peer], e)
            ratio, cpu_ratio = a["seconds"] / b["seconds"], (_cpu(a) or 0) / (_cpu(b) or 1)
            met = ratio <= goal if peer == "anchor" else ratio >= goal
            verdict = f", target {'<=' if peer == 'anchor' else '>='} {goal:g}: {'met' if met else 'MISSED'}"
            parts.append(f"{text} = {ratio:.2f} in wall time (CPU {cpu_ratio:.2f}{verdict if target else ''})")
        if "pandas same work" in by and "anchor" in by:
            anchor_speedup = by["pandas same work"]["seconds"] / by["anchor"]["seconds"]
            parts.append(f"pandas / hand-written anchor = {anchor_speedup:.2f} (the margin of the SQL written by hand)")
        if "lifetimes summary" in by:
            parts.append(f"lifetimes' summary alone / engine = {by['lifetimes summary']['seconds'] / e['seconds']:.2f}")
        notes.append("; ".join(parts) + ".")
    notes.append("The anchor (bench/anchor.sql) does the engine's work by hand: the ledger scan, the returns, the "
                 "exact de-duplication, every feature and the BG/NBD summary; its customer table is checked against "
                 "the engine's. The engine also keeps every column of the clean lines and the return lines (for "
                 "`write_clean` and the EDA aggregates), which the anchor does not. `pandas same work` starts from "
                 "the same Parquet (read, clean_transactions, customer_features, rfm_summary). `dedup floor` is the "
                 "de-duplication alone; lifetimes computes the BG/NBD summary only.")
    return notes


def measure_size(lines: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    source = ensure_log(args.data_dir, lines)
    work = args.data_dir / f"work_{lines}"
    huge = lines >= 100_000_000
    limit = args.huge_memory_limit if huge else args.memory_limit

    def child(step: str) -> dict[str, Any]:
        print(f"{lines:>11,} lines: {step} ...", flush=True)
        row = run_child(step, source, work, args.timeout, limit)
        print(f"    {row.get('seconds', float('nan')):.2f} s, peak {row.get('peak_rss_mb', 0):,.0f} MB "
              f"{row.get('note', '')}", flush=True)
        return row

    pair = ("engine",) if huge else PAIR
    runs: dict[str, list[dict[str, Any]]] = {step: [] for step in pair}
    for _ in range(1 if huge else args.repeats):
        for step in pair:
            runs[step].append(child(step))
    rows = [median_row(runs[step]) for step in pair]
    engine = rows[0]
    if not engine.get("failed"):
        stages = engine.get("stages", {})
        parts = [engine.get("note", ""), "stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()),
                 f"memory_limit {engine.get('memory_limit')}", f"{engine.get('rows_kept', 0):,} lines kept"]
        engine["note"] = "; ".join(p for p in parts if p)
    rows += [child(step) for step in (("fits", "churn scoring") if huge else OTHERS)]
    for row in rows:
        row["lines"] = lines
        if row["step"] in PEERS and not row.get("failed") and not engine.get("failed"):
            row["ratio"] = row["seconds"] / engine["seconds"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", choices=list(STEPS))
    parser.add_argument("--source", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--result", type=Path)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/retention-bench"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--huge", action="store_true", help="also 100,000,000 lines (engine steps only)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the engine and the anchor, alternating")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit at 1M and 10M lines")
    parser.add_argument("--huge-memory-limit", default="3GB", help="DuckDB memory_limit at 100M lines")
    args = parser.parse_args()
    if args.step:
        result = STEPS[args.step](args.source, args.work)
        result["peak_rss_mb"] = peak_rss_mb()
        result["step_cpu_s"] = step_cpu_seconds()
        if args.step == "make reports":  # the largest process of the make tree (a notebook kernel)
            import resource

            result["step_cpu_s"] = None  # the make tree's CPU comes from wait4
            result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
        args.result.write_text(json.dumps(result, default=float))
        return

    import csv

    started = time.perf_counter()
    sizes = list(args.sizes) + ([100_000_000] if args.huge else [])
    info = machine()
    info["when"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    info["load_before"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    rows: list[dict[str, Any]] = []
    for lines in sizes:
        rows += measure_size(lines, args)
    if not args.skip_reports:
        print("make reports (default data) ...", flush=True)
        row = run_child("make reports", ROOT, args.data_dir / "work_reports", args.timeout, args.memory_limit)
        row["lines"] = 0
        rows.append(row)
    info["load_after"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    info["total"] = f"{(time.perf_counter() - started) / 60:.1f} min in all"
    notes = verdicts(rows, sizes)
    if args.huge:
        notes.append(f"100M lines: the engine only (peers would need more than the machine's RAM), spilling to disk "
                     f"under memory_limit={args.huge_memory_limit}.")
    reports = next((r for r in rows if r["step"] == "make reports" and not r.get("failed")), None)
    if reports:
        notes.append(f"make reports (default data): {reports['seconds']:.1f} s.")

    RESULTS.mkdir(parents=True, exist_ok=True)
    fields = ["lines", "step", "seconds", "step_cpu_s", "cpu_s", "peak_rss_mb", "customers", "ratio", "failed", "note"]
    with open(RESULTS / "results.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{row[k]:.3f}" if isinstance(row.get(k), float) else row.get(k, "")) for k in fields})
    (RESULTS / "results.md").write_text(markdown(rows, info, notes))
    print((RESULTS / "results.md").read_text())


if __name__ == "__main__":
    main()
