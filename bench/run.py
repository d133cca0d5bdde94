"""Benchmark the feature step and the model steps at 1M and 10M lines (100M with --huge), against peers.

Every measured step runs in its own Python subprocess; the parent reads that child's peak resident memory
and CPU time with ``os.wait4`` and the child reports the wall time of the step itself (imports, data
generation and untimed set-up excluded). Steps, per log size:

* ``engine`` -- :func:`retention.engine.customer_table` with DuckDB on the Parquet folder: load, all
  cleaning rules with the ledger, every customer feature and the BG/NBD summary (its ``summary`` stage is
  also shown on its own), ``memory_limit`` 1GB with spilling to the data folder;
* ``fits`` -- :class:`retention.clv.BetaGeoModel` and :class:`~retention.clv.GammaGammaModel` fitted on
  that summary;
* ``churn scoring`` -- the production churn model (logistic regression, tuned and calibrated by
  :func:`retention.churn.fit_models` on the default data, untimed) scoring every customer of the table;
* peers: ``pandas RFM`` (read the Parquet, the basic filters, one groupby), ``lifetimes summary``
  (``lifetimes.utils.summary_data_from_transaction_data`` on the identified purchase lines, read
  included) and ``duckdb hand query`` (one hand-written RFM query over the Parquet files).

Once per run: ``make reports`` on the default data into a fresh output folder (prepare, four notebooks,
HTML, index; the venv is not rebuilt).

Usage::

    .venv/bin/python bench/run.py [--data-dir /tmp/retention-bench] [--huge] [--sizes 1000000 10000000]
        [--skip-reports]

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

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
MB = 1024.0  # ru_maxrss is in KiB on Linux
CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]
LINES_PER_CHUNK_CUSTOMERS = 20_000
PEERS = ("pandas engine", "pandas RFM", "lifetimes summary", "duckdb hand query", "duckdb hand dedup only")


# ---------------------------------------------------------------------------------------------------------
# Steps (run in a child process: python bench/run.py --step NAME --source DIR --work DIR)
# ---------------------------------------------------------------------------------------------------------


MEMORY_LIMIT = os.environ.get("RETENTION_BENCH_MEMORY_LIMIT", "1GB")


def _engine_config(work: Path) -> Any:
    from retention.engine import EngineConfig

    return EngineConfig(non_product_codes=tuple(CODES), memory_limit=MEMORY_LIMIT,
                        temp_directory=str(work / "spill"))


def step_engine(source: Path, work: Path) -> dict[str, Any]:
    from retention.engine import customer_table

    config = _engine_config(work)
    start = time.perf_counter()
    table = customer_table(source, config=config, engine="duckdb")
    seconds = time.perf_counter() - start
    table.features.to_parquet(work / "features.parquet")
    table.summary.to_parquet(work / "summary.parquet")
    return {"seconds": seconds, "customers": table.customers, "stages": table.timings,
            "rows_kept": table.rows_kept, "memory_limit": MEMORY_LIMIT}


def step_pandas_engine(source: Path, work: Path) -> dict[str, Any]:
    from retention.engine import EngineConfig, customer_table

    start = time.perf_counter()
    table = customer_table(source, config=EngineConfig(non_product_codes=tuple(CODES)), engine="pandas")
    seconds = time.perf_counter() - start
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in table.timings.items())
    return {"seconds": seconds, "customers": table.customers, "note": f"the same work in pandas; stages: {stages}"}


def step_fits(source: Path, work: Path) -> dict[str, Any]:
    import pandas as pd
    from threadpoolctl import threadpool_limits

    from retention.clv import BetaGeoModel, GammaGammaModel

    summary = pd.read_parquet(work / "summary.parquet")
    spend = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    with threadpool_limits(limits=1, user_api="blas"):
        start = time.perf_counter()
        bg = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
        middle = time.perf_counter()
        gg = GammaGammaModel().fit(spend["frequency"], spend["monetary_value"])
        end = time.perf_counter()
    return {"seconds": end - start, "customers": len(summary),
            "stages": {"bgnbd": middle - start, "gamma_gamma": end - middle},
            "note": f"BG/NBD {', '.join(f'{k}={v:.3g}' for k, v in bg.params_.items())}; "
                    f"GG {', '.join(f'{k}={v:.3g}' for k, v in gg.params_.items())}"}


def step_churn(source: Path, work: Path) -> dict[str, Any]:
    import pandas as pd

    from retention import churn
    from retention.generator import GeneratorConfig, generate

    model_file = work.parent / "churn_examples.parquet"
    if model_file.exists():
        examples = pd.read_parquet(model_file)
    else:  # labelled examples of the default data, as the churn report builds them
        from retention.cleaning import clean_transactions

        log = generate(GeneratorConfig()).transactions
        clean = clean_transactions(log, non_product_codes=CODES)
        tx = clean.transactions
        design = churn.ChurnDesign()
        plan = churn.plan_cutoffs(tx["InvoiceDate"].min(), clean.end_date, design)
        examples = churn.build_examples(tx, plan.labelled, design, returns=clean.returns, data_end=clean.end_date)
        examples.to_parquet(model_file)
    model = churn.fit_models(examples, seed=42, names=[churn.PRODUCTION_MODEL])[churn.PRODUCTION_MODEL]
    features = pd.read_parquet(work / "features.parquet")
    start = time.perf_counter()
    proba = churn.predict_churn(model, features)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "customers": len(proba), "note": f"mean churn probability {proba.mean():.3f}"}


def _purchase_filter_sql() -> str:
    return ("CustomerID IS NOT NULL AND NOT starts_with(InvoiceNo, 'C') AND Quantity > 0 AND UnitPrice > 0 "
            f"AND StockCode NOT IN ({', '.join(repr(c) for c in CODES)})")


def step_pandas(source: Path, work: Path) -> dict[str, Any]:
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_parquet(source, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice",
                                          "CustomerID"])
    keep = (df["CustomerID"].notna() & ~df["InvoiceNo"].str.startswith("C") & (df["Quantity"] > 0)
            & (df["UnitPrice"] > 0) & ~df["StockCode"].isin(CODES))
    df = df[keep]
    df = df.assign(Revenue=df["Quantity"] * df["UnitPrice"])
    end = df["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    rfm = df.groupby("CustomerID").agg(last=("InvoiceDate", "max"), Frequency=("InvoiceNo", "nunique"),
                                       Monetary=("Revenue", "sum"))
    rfm["Recency"] = (end - rfm["last"]).dt.days
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "customers": len(rfm)}


def _import_lifetimes_utils() -> tuple[Any, str]:
    try:
        from lifetimes.utils import summary_data_from_transaction_data

        return summary_data_from_transaction_data, "imported as is"
    except Exception as exc:  # lifetimes 0.11 imports pkg_resources, gone from new setuptools
        import types

        sys.modules.setdefault("pkg_resources", types.ModuleType("pkg_resources"))
        from lifetimes.utils import summary_data_from_transaction_data

        return summary_data_from_transaction_data, f"import failed ({type(exc).__name__}); pkg_resources stubbed"


def step_lifetimes(source: Path, work: Path) -> dict[str, Any]:
    import pandas as pd

    summary_data_from_transaction_data, how = _import_lifetimes_utils()
    start = time.perf_counter()
    df = pd.read_parquet(source, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice",
                                          "CustomerID"])
    keep = (df["CustomerID"].notna() & ~df["InvoiceNo"].str.startswith("C") & (df["Quantity"] > 0)
            & (df["UnitPrice"] > 0) & ~df["StockCode"].isin(CODES))
    df = df[keep]
    df = df.assign(Revenue=df["Quantity"] * df["UnitPrice"])[["CustomerID", "InvoiceDate", "Revenue"]]
    summary = summary_data_from_transaction_data(df, "CustomerID", "InvoiceDate", monetary_value_col="Revenue",
                                                 observation_period_end=df["InvoiceDate"].max(), freq="D")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "customers": len(summary), "note": f"lifetimes.utils {how}"}


def step_duckdb_hand(source: Path, work: Path) -> dict[str, Any]:
    import duckdb
    import pandas  # noqa: F401 - imported before the clock, as in the other steps

    start = time.perf_counter()
    con = duckdb.connect()
    query = f"""
        WITH lines AS (
            SELECT CustomerID, InvoiceNo, InvoiceDate, Quantity * UnitPrice AS Revenue
            FROM read_parquet('{source}/*.parquet')
            WHERE {_purchase_filter_sql()}
        ), last AS (SELECT max(InvoiceDate)::DATE + 1 AS end_day FROM lines)
        SELECT CustomerID,
               date_diff('day', max(InvoiceDate)::DATE, any_value(end_day)) AS Recency,
               count(DISTINCT InvoiceNo) AS Frequency,
               sum(Revenue) AS Monetary
        FROM lines, last
        GROUP BY CustomerID
    """
    rfm = con.execute(query).df()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "customers": len(rfm)}


def step_duckdb_dedup(source: Path, work: Path) -> dict[str, Any]:
    """The exact de-duplication alone: the kept lines grouped on all eight columns (no features)."""
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(config={"preserve_insertion_order": False})
    query = f"""
        SELECT count(*) AS distinct_lines, sum(copies - 1) AS repeats FROM (
            SELECT InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country,
                   count(*) AS copies
            FROM read_parquet('{source}/*.parquet')
            WHERE {_purchase_filter_sql()}
            GROUP BY ALL)
    """
    distinct, repeats = con.execute(query).fetchone()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "customers": None,
            "note": f"hand-written: {distinct:,} distinct kept lines, {repeats:,} repeats; no features"}


def step_reports(source: Path, work: Path) -> dict[str, Any]:
    out = work / "reports"
    start = time.perf_counter()
    done = subprocess.run(["make", "reports", f"OUT={out}"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        return {"seconds": seconds, "customers": None, "failed": True,
                "note": "make reports failed: " + " | ".join(tail)}
    return {"seconds": seconds, "customers": None, "note": "prepare + 4 notebooks + HTML + index, fresh output folder"}


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB.

    Not ``ru_maxrss`` from ``wait4``: on Linux a child started with vfork/exec inherits the parent's
    high-water mark in it.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / MB
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB


STEPS = {
    "engine": step_engine,
    "fits": step_fits,
    "churn scoring": step_churn,
    "pandas engine": step_pandas_engine,
    "pandas RFM": step_pandas,
    "lifetimes summary": step_lifetimes,
    "duckdb hand query": step_duckdb_hand,
    "duckdb hand dedup only": step_duckdb_dedup,
    "make reports": step_reports,
}


# ---------------------------------------------------------------------------------------------------------
# Parent: data, children, tables
# ---------------------------------------------------------------------------------------------------------


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


def run_child(step: str, source: Path, work: Path, timeout: float, memory_limit: str = "1GB") -> dict[str, Any]:
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
            pid, status, usage = os.wait4(child.pid, 0)
            return {"step": step, "failed": True, "note": f"timed out after {timeout:.0f} s"}
        time.sleep(0.05)
    out: dict[str, Any] = {"step": step, "process_s": time.perf_counter() - started,
                           "cpu_s": usage.ru_utime + usage.ru_stime}
    if os.waitstatus_to_exitcode(status) != 0 or not result_file.exists():
        out.update(failed=True, note=f"exit code {os.waitstatus_to_exitcode(status)}")
        return out
    out.update(json.loads(result_file.read_text()))
    return out


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        ram = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        ram_gb = f"{int(ram.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram_gb = "unknown"
    versions = {}
    for name in ("duckdb", "pandas", "numpy", "pyarrow", "ibis-framework", "lifetimes", "scikit-learn", "scipy",
                 "pyspark"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram": ram_gb, "os": platform.platform(),
            "python": platform.python_version(), "versions": ", ".join(f"{k} {v}" for k, v in versions.items())}


def markdown(rows: list[dict[str, Any]], info: dict[str, str], notes: list[str]) -> str:
    lines = ["# Benchmark: the feature step at scale", "",
             f"Run {info['when']} by `make bench` (`bench/run.py`). Machine: {info['cpu']}, {info['cores']} cores, "
             f"{info['ram']} RAM, {info['os']}; Python {info['python']}; {info['versions']}.", "",
             f"Load average before / after: {info['load_before']} / {info['load_after']} (other work on the machine "
             "shows up as load above 0 and slows every step alike).", "",
             "Wall = time of the step inside its process (imports and untimed set-up excluded). CPU = the whole "
             "child process (user + system, set-up included). Peak RSS = the child's own high-water mark "
             "(VmHWM: interpreter, imports and set-up included); for `make reports`, the largest process of "
             "the make tree.", "",
             "| lines | step | wall s | CPU s | peak RSS MB | customers | vs engine | note |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        wall = "failed" if row.get("failed") else f"{row['seconds']:.2f}"
        ratio = row.get("ratio")
        size = "default data" if row["lines"] == 0 else f"{row['lines']:,}"
        cpu = "" if row.get("cpu_s") is None else f"{row['cpu_s']:.1f}"
        rss = "" if row.get("peak_rss_mb") is None else f"{row['peak_rss_mb']:,.0f}"
        customers = "" if row.get("customers") in (None, "") else format(int(row["customers"]), ",")
        lines.append(f"| {size} | {row['step']} | {wall} | {cpu} | {rss} | {customers} | "
                     f"{'' if ratio is None else f'{ratio:.2f}x'} | {row.get('note', '')} |")
    lines += ["", "`vs engine` = the peer's wall time / the engine's (above 1: the engine is faster).", ""]
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", choices=list(STEPS))
    parser.add_argument("--source", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--result", type=Path)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/retention-bench"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--huge", action="store_true", help="also 100,000,000 lines (engine steps only)")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--huge-memory-limit", default="3GB",
                        help="DuckDB memory_limit at 100M lines (1GB at the other sizes)")
    args = parser.parse_args()
    if args.step:
        result = STEPS[args.step](args.source, args.work)
        result["peak_rss_mb"] = peak_rss_mb()
        if args.step == "make reports":  # the largest process of the make tree (a notebook kernel)
            import resource

            result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / MB
        args.result.write_text(json.dumps(result, default=float))
        return

    import csv

    sizes = list(args.sizes) + ([100_000_000] if args.huge else [])
    info = machine()
    info["when"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    info["load_before"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for lines in sizes:
        source = ensure_log(args.data_dir, lines)
        work = args.data_dir / f"work_{lines}"
        huge = lines >= 100_000_000
        steps = ["engine", "fits", "churn scoring"] + ([] if huge else list(PEERS))
        size_rows = []
        for step in steps:
            print(f"{lines:>11,} lines: {step} ...", flush=True)
            row = run_child(step, source, work, args.timeout, args.huge_memory_limit if huge else "1GB")
            row["lines"] = lines
            size_rows.append(row)
            if step == "engine" and not row.get("failed"):
                stages = row.get("stages", {})
                size_rows.append({"lines": lines, "step": "  of which BG/NBD summary", "seconds":
                                  stages.get("summary", float("nan")), "customers": row.get("customers"),
                                  "note": "stage of the engine run (same process)"})
                row["note"] = ("stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())
                               + f"; memory_limit {row.get('memory_limit')}; {row.get('rows_kept', 0):,} lines kept")
            print(f"    {row.get('seconds', float('nan')):.2f} s, peak {row.get('peak_rss_mb', 0):,.0f} MB "
                  f"{row.get('note', '')}", flush=True)
        engine = next((r for r in size_rows if r["step"] == "engine" and not r.get("failed")), None)
        for row in size_rows:
            if engine and row["step"] in PEERS and not row.get("failed"):
                row["ratio"] = row["seconds"] / engine["seconds"]
        if huge:
            notes.append(f"100M lines: the peers and the pandas engine are not run (they would need more than "
                         f"the machine's RAM); the engine spills to disk under memory_limit={args.huge_memory_limit}.")
        rows += size_rows
    if not args.skip_reports:
        print("make reports (default data) ...", flush=True)
        row = run_child("make reports", ROOT, args.data_dir / "work_reports", args.timeout)
        row["lines"] = 0
        rows.append(row)
        print(f"    {row.get('seconds', float('nan')):.1f} s {row.get('note', '')}", flush=True)
    info["load_after"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())

    for lines in sizes:
        by = {r["step"]: r for r in rows if r["lines"] == lines and not r.get("failed")}
        if "engine" not in by:
            notes.append(f"{lines:,} lines: the engine step failed.")
            continue
        e = by["engine"]
        parts = [f"{lines:,} lines: engine {e['seconds']:.2f} s, peak {e['peak_rss_mb']:,.0f} MB"]
        if "lifetimes summary" in by:
            speedup = by["lifetimes summary"]["seconds"] / e["seconds"]
            parts.append(f"lifetimes / engine = {speedup:.2f} (target >= 4: {'met' if speedup >= 4 else 'MISSED'})")
        if "duckdb hand query" in by:
            ratio = by["duckdb hand query"]["seconds"] / e["seconds"]
            parts.append(f"hand-written DuckDB / engine = {ratio:.2f} (target >= 1: "
                         f"{'met' if ratio >= 1 else 'MISSED'})")
        if "pandas engine" in by:
            parts.append(f"the same work in pandas is {by['pandas engine']['seconds'] / e['seconds']:.1f}x slower")
        if lines == 10_000_000:
            parts.append(f"peak < 1.5 GB: {'met' if e['peak_rss_mb'] < 1536 else 'MISSED'}")
        notes.append("; ".join(parts) + ".")
    reports = next((r for r in rows if r["step"] == "make reports"), None)
    if reports and not reports.get("failed"):
        notes.append(f"make reports (default data): {reports['seconds']:.1f} s "
                     f"(target < 60 s: {'met' if reports['seconds'] < 60 else 'MISSED'}).")
    notes.append("The engine does more than the peers: every cleaning rule incl. exact duplicates and the "
                 "ledger, 16 features, the BG/NBD summary; the peers compute recency, frequency and monetary "
                 "only, without de-duplication. `duckdb hand dedup only` is the floor of the exact "
                 "de-duplication the cleaning rules require (a GROUP BY on all eight columns of the kept lines), "
                 "written by hand, with no feature at all.")

    RESULTS.mkdir(parents=True, exist_ok=True)
    fields = ["lines", "step", "seconds", "cpu_s", "peak_rss_mb", "customers", "ratio", "failed", "note"]
    with open(RESULTS / "results.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{row[k]:.3f}" if isinstance(row.get(k), float) else row.get(k, ""))
                             for k in fields})
    (RESULTS / "results.md").write_text(markdown(rows, info, notes))
    print((RESULTS / "results.md").read_text())


if __name__ == "__main__":
    main()
