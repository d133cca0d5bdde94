"""The customer table in one call, on DuckDB or Spark; its SQL; comparing results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from retention.engine.config import ENGINES, EngineConfig, EngineName
from retention.engine.inputs import Source, input_files
from retention.engine.plan import Plan
from retention.engine.runners import WORK_TABLES
from retention.engine.session import open_log
from retention.engine.sql import day_number, naive_day

__all__ = ["CustomerTable", "compile_sql", "customer_table", "differences", "frame_differences"]


@dataclass(frozen=True)
class CustomerTable:
    """The per-customer result of the feature step, identical whichever engine made it.

    Attributes
    ----------
    features : pandas.DataFrame
        The customer features (:data:`retention.features.FEATURE_COLUMNS`) as of ``cutoff`` (index CustomerID,
        sorted).
    summary : pandas.DataFrame
        The BTYD summary (frequency, recency, T, monetary_value) as of ``cutoff`` in ``config.unit`` (index
        CustomerID, sorted).
    ledger : pandas.DataFrame
        The cleaning ledger of :func:`retention.cleaning.clean_transactions`.
    rows_in : int
        Lines read.
    end_date, cutoff : pandas.Timestamp
        The analysis end day (``after_end_date`` rule) and the feature cutoff day.
    engine : str
        The engine that ran.
    timings : dict of str to float
        Seconds spent in each step, for benchmarks.
    """

    features: pd.DataFrame
    summary: pd.DataFrame
    ledger: pd.DataFrame
    rows_in: int
    end_date: pd.Timestamp
    cutoff: pd.Timestamp
    engine: str
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    customers: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "customers", len(self.features))

    @property
    def rows_kept(self) -> int:
        return int(self.ledger.loc[self.ledger["reason"] == "rows_kept", "rows"].iloc[0])


def customer_table(source: Source, cutoff: Any = None, *, config: EngineConfig | None = None,
                   engine: EngineName = "auto", spark: Any = None, layout: str = "auto",
                   **overrides: Any) -> CustomerTable:
    """Clean a transaction log and build the customer table (features + BG/NBD summary) as of ``cutoff``.

    Parameters
    ----------
    source : path, glob, folder or list of paths
        Parquet or CSV files (see :func:`~retention.engine.inputs.input_files`).
    cutoff : date-like, optional
        Feature and summary cutoff day (inclusive); default: the analysis end date.
    config : EngineConfig, optional
        Cleaning rules, feature options and DuckDB limits; keyword ``overrides`` replace its fields.
    engine : {"auto", "duckdb", "spark"}
        ``"auto"`` is DuckDB.
    spark : pyspark.sql.SparkSession, optional
        The session for ``engine="spark"``.
    layout : {"auto", "canonical", "raw"}
        How the input is laid out (DuckDB and Spark; see :func:`~retention.engine.session.open_log`).

    Returns
    -------
    CustomerTable
        Features, summary and cleaning ledger; the same (to float rounding) for every engine.
    """
    config = replace(config or EngineConfig(), **overrides) if overrides else (config or EngineConfig())
    files, _ = input_files(source)
    if engine == "auto":
        engine = "duckdb"
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {['auto', *ENGINES]}, got {engine!r}.")
    with open_log(files, config=config, engine=engine, spark=spark, layout=layout) as log:
        day = log.end_date if cutoff is None else naive_day(cutoff, "cutoff")
        features = log.customer_features(day)
        summary = log.rfm_summary(day)
        return CustomerTable(features=features, summary=summary, ledger=log.ledger, rows_in=log.rows_in,
                             end_date=log.end_date, cutoff=day, engine=engine, timings=dict(log.timings))


def compile_sql(dialect: Literal["duckdb", "pyspark"], raw_types: Mapping[str, str], cutoff: Any,
                config: EngineConfig | None = None, *, end_date: Any = None, has_codes: bool = True,
                detect_duplicates: bool = True, layout: str = "canonical", names: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None, steps: Iterable[str] | None = None) -> dict[str, str]:
    """The SQL text of each step of the customer table for ``dialect``, for reading.

    ``raw_types`` maps the input's columns to engine type names (e.g. ``{"Quantity": "DOUBLE", ...}``).
    The steps, in run order: ``last_date``, ``reason_counts``, ``lines`` and ``returns`` (stored as work
    tables), ``totals``, ``days``, ``invoices``, ``products``, ``back`` (stored), ``features`` and
    ``summary`` (the cutoff's day number is read from the uploaded table ``cutoffs``). ``names`` renames
    the tables.
    """
    config = config or EngineConfig()
    plan = Plan(dialect, raw_types, config, layout, {**{n: n for n in WORK_TABLES}, **(names or {})}, headers)
    end = naive_day(end_date if end_date is not None else (config.end_date or "1970-01-01"), "end_date")
    cutoff_day = day_number(naive_day(cutoff, "cutoff"))
    builders = {
        "last_date": plan.last_date,
        "reason_counts": lambda: plan.reason_counts(end),
        "lines": lambda: plan.kept_lines(end, detect_duplicates),
        "returns": lambda: plan.return_lines(end),
        "totals": plan.kept_totals,
        **{name: (lambda name=name: plan.grain(name)) for name in ("days", "invoices", "products", "back")},
        "features": lambda: plan.customer_features(config.peak_months, config.window_days, has_codes),
        "summary": lambda: plan.rfm_summary(cutoff_day, config.unit),
    }
    wanted = set(steps or builders)
    return {name: build() for name, build in builders.items() if name in wanted}


def _column_differences(name: str, x: pd.DataFrame, y: pd.DataFrame, rtol: float, atol: float) -> list[str]:
    found: list[str] = []
    for column in x.columns:
        u, v = x[column], y[column]
        if u.dtype != v.dtype:
            found.append(f"{name}.{column}: dtype {u.dtype} != {v.dtype}")
        elif pd.api.types.is_float_dtype(u):
            p, q = u.to_numpy(dtype=float), v.to_numpy(dtype=float)
            close = np.isclose(p, q, rtol=rtol, atol=atol, equal_nan=True)
            if not close.all():
                i = int(np.flatnonzero(~close)[0])
                found.append(f"{name}.{column}: {int((~close).sum())} value(s) differ, e.g. {x.index[i]!r}: "
                             f"{p[i]!r} vs {q[i]!r}")
        else:
            same = (u == v).fillna(False) | (u.isna() & v.isna())
            if not same.all():
                i = int(np.flatnonzero(~same.to_numpy())[0])
                found.append(f"{name}.{column}: {int((~same).sum())} value(s) differ, e.g. {x.index[i]!r}: "
                             f"{u.iloc[i]!r} vs {v.iloc[i]!r}")
    return found


def frame_differences(name: str, x: pd.DataFrame, y: pd.DataFrame, *, rtol: float = 1e-9,
                      atol: float = 1e-9) -> list[str]:
    """Where two frames disagree, one line each: columns, index, dtypes, then values (floats to tolerance)."""
    if list(x.columns) != list(y.columns):
        return [f"{name}: columns {list(x.columns)} != {list(y.columns)}"]
    if not x.index.equals(y.index) or x.index.dtype != y.index.dtype:
        return [f"{name}: index differs ({len(x)} vs {len(y)} rows, {x.index.dtype} vs {y.index.dtype})"]
    return _column_differences(name, x, y, rtol, atol)


def differences(a: CustomerTable, b: CustomerTable, *, rtol: float = 1e-9, atol: float = 1e-9) -> list[str]:
    """Where two customer tables disagree, one line each (empty: they agree).

    Integers, days, booleans and strings must be equal; floats within ``rtol`` relative (or ``atol``
    absolute, for values near 0) and missing in the same places. Index, columns and dtypes must match.
    """
    found: list[str] = []
    for name in ("features", "summary", "ledger"):
        found += frame_differences(name, getattr(a, name), getattr(b, name), rtol=rtol, atol=atol)
    return found
