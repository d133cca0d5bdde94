"""The measured steps of `make bench`, each run in its own process by bench/run.py.

Every step returns a dict with ``seconds`` (the wall time of the work itself: imports, data generation and
untimed set-up excluded), ``customers`` and an optional ``note`` / ``stages``. The engine steps save their
customer tables in the work folder so the anchor can show it computed the same thing.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]
MEMORY_LIMIT = os.environ.get("RETENTION_BENCH_MEMORY_LIMIT", "2GB")
_CPU: dict[str, float] = {}


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def started() -> float:
    """Start a step's clock (wall and this process's CPU)."""
    _CPU["start"] = _process_cpu()
    return time.perf_counter()


def finished(start: float) -> float:
    """Stop the step's clock: its wall seconds (its CPU seconds go to :func:`step_cpu_seconds`)."""
    _CPU["end"] = _process_cpu()
    return time.perf_counter() - start


def step_cpu_seconds() -> float | None:
    """CPU seconds (all threads, user + system) between :func:`started` and :func:`finished`."""
    return _CPU["end"] - _CPU["start"] if {"start", "end"} <= set(_CPU) else None


def _import_compiler() -> None:
    """Import Ibis and its SQL compilers before the clock starts (imports are excluded from every step)."""
    import ibis
    import ibis.backends.sql.compilers  # noqa: F401 - loaded by the first compile otherwise
    import sqlglot.dialects.duckdb  # noqa: F401

    assert ibis


def _config(work: Path) -> Any:
    from retention.engine import EngineConfig

    return EngineConfig(non_product_codes=tuple(CODES), memory_limit=MEMORY_LIMIT,
                        temp_directory=str(work / "spill"))


def _duckdb_settings(work: Path) -> dict[str, Any]:
    """The anchor's DuckDB settings: the engine's (memory_limit, spill folder, any insertion order)."""
    (work / "spill").mkdir(parents=True, exist_ok=True)
    return {"preserve_insertion_order": False, "memory_limit": MEMORY_LIMIT, "temp_directory": str(work / "spill")}


def step_engine(source: Path, work: Path) -> dict[str, Any]:
    """retention.engine.customer_table on DuckDB: rules, de-duplication, ledger, features, BG/NBD summary."""
    from retention.engine import customer_table

    _import_compiler()
    config = _config(work)
    start = started()
    table = customer_table(source, config=config, engine="duckdb")
    seconds = finished(start)
    table.features.to_parquet(work / "features.parquet")
    table.summary.to_parquet(work / "summary.parquet")
    return {"seconds": seconds, "customers": table.customers, "stages": table.timings,
            "rows_kept": table.rows_kept, "memory_limit": MEMORY_LIMIT}


def anchor_statements(source: Path, end_day: str | None = None) -> list[str]:
    """The statements of bench/anchor.sql for ``source`` (``end_day``: fill in the cutoff once known)."""
    import datetime as dt

    text = (ROOT / "bench" / "anchor.sql").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    values = {"source": f"read_parquet('{source}/*.parquet')", "codes": ", ".join(f"'{c}'" for c in CODES),
              "max_quantity": "10000.0", "max_unit_price": "5000.0", "peak_months": "10, 11, 12"}
    if end_day is not None:
        day = dt.date.fromisoformat(end_day)
        values["after"] = f"TIMESTAMP '{day + dt.timedelta(days=1)}'"
        values["cutoff"] = str((day - dt.date(1970, 1, 1)).days)
    statements = [s.strip() for s in body.split(";") if s.strip()]
    return [re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), s) for s in statements]


def step_anchor(source: Path, work: Path) -> dict[str, Any]:
    """bench/anchor.sql: the same work written by hand for DuckDB; checked against the engine's tables."""
    import duckdb
    import pandas  # noqa: F401 - imported before the clock, as every step's imports

    start = started()
    con = duckdb.connect(config=_duckdb_settings(work))
    first, *_ = anchor_statements(source)
    end_day = str(con.execute(first).fetchone()[0])
    results = [con.execute(s).df() for s in anchor_statements(source, end_day)[1:]]
    counts, distinct, table = results[0], results[3], results[4]
    seconds = finished(start)
    con.close()
    kept, distinct_lines = int(counts.loc[counts["reason"].isna(), "lines"].sum()), int(distinct.iloc[0, 0])
    note = f"{_anchor_check(table, work)}; {distinct_lines:,} lines kept, {kept - distinct_lines:,} duplicates"
    return {"seconds": seconds, "customers": len(table), "note": note}


def _anchor_check(table: Any, work: Path) -> str:
    """Does the anchor's customer table equal the engine's (saved by the engine step)?"""
    import numpy as np
    import pandas as pd

    path = work / "features.parquet"
    if not path.exists():
        return "not checked (the engine step did not run)"
    features = pd.read_parquet(path)
    summary = pd.read_parquet(work / "summary.parquet")
    table = table.set_index(table["CustomerID"].astype(str)).sort_index()
    if list(table.index) != [str(c) for c in features.index]:
        return "DIFFERS from the engine: other customers"
    differing = []
    pairs = [(c, c) for c in features.columns if c not in ("Country", "FirstPurchase", "LastPurchase")]
    pairs += [(f"btyd_{c}", c) for c in summary.columns]
    for ours, theirs in pairs:
        reference = summary[theirs] if ours.startswith("btyd_") else features[theirs]
        a, b = table[ours].to_numpy(dtype=float), reference.to_numpy(dtype=float)
        if not np.isclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True).all():
            differing.append(ours)
    if not (table["Country"].fillna("") == features["Country"].fillna("").to_numpy()).all():
        differing.append("Country")
    for column in ("FirstPurchase", "LastPurchase"):  # day numbers in the anchor
        days = (features[column] - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
        if not (table[column].to_numpy() == days).all():
            differing.append(column)
    if differing:
        return f"DIFFERS from the engine in {differing}"
    return "same customer table as the engine (every column, to 1e-9)"


def step_pandas_same_work(source: Path, work: Path) -> dict[str, Any]:
    """The same work in pandas: read the Parquet, the cleaning rules, the features, the BG/NBD summary.

    The features and the summary are the bench's own pandas peer (bench/pandas_peer.py); the product has none.
    """
    import pandas as pd
    import pandas_peer

    from retention.cleaning import clean_transactions

    start = started()
    log = pd.read_parquet(source)
    log["Quantity"] = log["Quantity"].astype(float)  # the canonical dtype
    clean = clean_transactions(log, non_product_codes=CODES)
    middle = time.perf_counter()
    table = pandas_peer.customer_features(clean.transactions, clean.end_date, returns=clean.returns)
    pandas_peer.rfm_summary(clean.transactions, clean.end_date)
    seconds = finished(start)
    return {"seconds": seconds, "customers": len(table),
            "note": f"read + clean {middle - start:.2f} s, features + summary {seconds - (middle - start):.2f} s"}


def _purchase_filter_sql() -> str:
    return ("CustomerID IS NOT NULL AND NOT starts_with(InvoiceNo, 'C') AND Quantity > 0 AND UnitPrice > 0 "
            f"AND StockCode NOT IN ({', '.join(repr(c) for c in CODES)})")


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
    """lifetimes' BG/NBD summary of the identified purchase lines (read and basic filters included)."""
    import pandas as pd

    summary_data_from_transaction_data, how = _import_lifetimes_utils()
    start = started()
    df = pd.read_parquet(source, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice",
                                          "CustomerID"])
    keep = (df["CustomerID"].notna() & ~df["InvoiceNo"].str.startswith("C") & (df["Quantity"] > 0)
            & (df["UnitPrice"] > 0) & ~df["StockCode"].isin(CODES))
    df = df[keep]
    df = df.assign(Revenue=df["Quantity"] * df["UnitPrice"])[["CustomerID", "InvoiceDate", "Revenue"]]
    summary = summary_data_from_transaction_data(df, "CustomerID", "InvoiceDate", monetary_value_col="Revenue",
                                                 observation_period_end=df["InvoiceDate"].max(), freq="D")
    seconds = finished(start)
    return {"seconds": seconds, "customers": len(summary), "note": f"summary only, no de-duplication; {how}"}


def step_dedup_floor(source: Path, work: Path) -> dict[str, Any]:
    """The exact de-duplication alone: the kept lines grouped on all eight columns (no features)."""
    import duckdb

    start = started()
    con = duckdb.connect(config=_duckdb_settings(work))
    query = f"""
        SELECT count(*) AS distinct_lines, sum(copies - 1) AS repeats FROM (
            SELECT InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country,
                   count(*) AS copies
            FROM read_parquet('{source}/*.parquet')
            WHERE {_purchase_filter_sql()}
            GROUP BY ALL)
    """
    distinct, repeats = con.execute(query).fetchone()
    seconds = finished(start)
    return {"seconds": seconds, "customers": None,
            "note": f"a floor: {distinct:,} distinct kept lines, {repeats:,} repeats; no rule order, ledger or feature"}


def step_examples(source: Path, work: Path) -> dict[str, Any]:
    """The engine's churn examples: features and labels at every labelled cutoff of the default design."""
    from retention import churn
    from retention.engine import open_log

    _import_compiler()
    start = started()
    with open_log(source, config=_config(work)) as log:
        design = churn.ChurnDesign()
        plan = churn.plan_cutoffs(log.first_date, log.end_date, design)
        examples = log.churn_examples(plan.labelled, design.horizon_days, data_end=log.end_date)
        stages = dict(log.timings)
    seconds = finished(start)
    return {"seconds": seconds, "customers": int(examples["CustomerID"].nunique()), "stages": stages,
            "note": f"{len(plan.labelled)} cutoffs in one query, {len(examples):,} examples"}


def step_eda(source: Path, work: Path) -> dict[str, Any]:
    """The engine's EDA aggregates (monthly, weekday x hour, countries, products, cohorts, headline, histograms)."""
    from retention.engine import open_log

    _import_compiler()
    start = started()
    with open_log(source, config=_config(work)) as log:
        cleaned = time.perf_counter()
        eda = log.eda
        eda.monthly_activity(), eda.weekday_hour_orders(), eda.top_countries(), eda.top_products()
        eda.cohort_retention(), eda.order_value_histogram(), eda.basket_size_histogram()
        headline = eda.headline()
    seconds = finished(start)
    return {"seconds": seconds, "customers": headline["customers"],
            "note": f"cleaning {cleaned - start:.2f} s, aggregates {seconds - (cleaned - start):.2f} s; "
                    f"{headline['orders']:,} orders"}


def step_fits(source: Path, work: Path) -> dict[str, Any]:
    import pandas as pd
    from threadpoolctl import threadpool_limits

    from retention.clv import BetaGeoModel, GammaGammaModel

    summary = pd.read_parquet(work / "summary.parquet")
    spend = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    with threadpool_limits(limits=1, user_api="blas"):
        start = started()
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
    from retention.engine import EngineConfig, open_log
    from retention.generator import GeneratorConfig, generate

    model_file = work.parent / "churn_examples.parquet"
    if model_file.exists():
        examples = pd.read_parquet(model_file)
    else:  # labelled examples of the default data, as the churn report builds them
        design = churn.ChurnDesign()
        with open_log(generate(GeneratorConfig()).transactions, config=EngineConfig(non_product_codes=CODES)) as log:
            plan = churn.plan_cutoffs(log.first_date, log.end_date, design)
            examples = log.churn_examples(plan.labelled, design.horizon_days, data_end=log.end_date)
        examples.to_parquet(model_file)
    model = churn.fit_models(examples, seed=42, names=[churn.PRODUCTION_MODEL])[churn.PRODUCTION_MODEL]
    features = pd.read_parquet(work / "features.parquet")
    start = started()
    proba = churn.predict_churn(model, features)
    seconds = finished(start)
    return {"seconds": seconds, "customers": len(proba), "note": f"mean churn probability {proba.mean():.3f}"}


def step_reports(source: Path, work: Path) -> dict[str, Any]:
    out = work / "reports"
    shutil.rmtree(out, ignore_errors=True)  # a fresh output folder: make reruns nothing otherwise
    start = started()
    done = subprocess.run(["make", "reports", f"OUT={out}"], cwd=ROOT, capture_output=True, text=True)
    seconds = finished(start)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        return {"seconds": seconds, "customers": None, "failed": True,
                "note": "make reports failed: " + " | ".join(tail)}
    return {"seconds": seconds, "customers": None, "note": "prepare + 5 notebooks + HTML + index, fresh output folder"}


STEPS = {
    "engine": step_engine,
    "anchor": step_anchor,
    "pandas same work": step_pandas_same_work,
    "lifetimes summary": step_lifetimes,
    "dedup floor": step_dedup_floor,
    "engine churn examples": step_examples,
    "engine EDA aggregates": step_eda,
    "fits": step_fits,
    "churn scoring": step_churn,
    "make reports": step_reports,
}
