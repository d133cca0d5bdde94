"""Transactions -> customer table at scale: one definition, run by pandas, DuckDB or Spark.

The feature step of the series (the cleaning rules of :mod:`retention.cleaning`, the customer
features of :func:`retention.features.customer_features` and the BG/NBD summary of
:func:`retention.clv.rfm_summary`) is written here once as `Ibis <https://ibis-project.org>`_
expressions over an abstract table of raw lines. Ibis compiles that definition to SQL text for
DuckDB (``dialect="duckdb"``) and for Spark SQL (``dialect="pyspark"``); the text is executed by the
engine's own client (``duckdb`` or a ``SparkSession``), so only the per-customer result ever comes back
to pandas. Ibis is used as a compiler only: its DuckDB *backend* does not run on duckdb 2.0, and none is
needed.

Engines
-------
``"pandas"``
    The reference: :func:`retention.data.load`, :func:`~retention.cleaning.clean_transactions`,
    :func:`~retention.features.customer_features` and :func:`~retention.clv.rfm_summary`, in memory.
    Reads everything the loader reads (Excel, odd separators, decimal commas, any date format, mapped
    columns).
``"duckdb"``
    Streams CSV or Parquet files (one file, a glob, or a folder) through DuckDB, out of core:
    ``memory_limit`` and ``temp_directory`` in :class:`EngineConfig` bound memory and say where DuckDB
    spills. One pass over the files classifies every line and collapses exact duplicates into a table
    of distinct kept lines (plus the returns and one row per dropped reason); the ledger, the features
    and the summary are read from that table.
``"spark"``
    The same SQL on a ``SparkSession`` (local mode or a cluster; pass ``spark=``); needs the ``spark``
    extra and Java 17.

All three give the same customer table: integers, days and strings exactly, floats to rounding (sums
are added up in a different order); :func:`differences` lists any disagreement and the tests hold the
engines to none.

What the SQL engines read
-------------------------
Files in the canonical columns (or the Online Retail II names ``Invoice``, ``Price``, ``Customer ID``)
with ISO dates and dot-decimal numbers: Parquet as typed, CSV as comma-separated UTF-8 text. They apply
the loader's rules (text stripped of spaces, empty text missing, ``17850.0`` -> ``17850``, blank lines and
repeated header lines counted, one invoice per customer and day when there is no InvoiceNo, Quantity 1
when there is none) and every cleaning rule. Anything else (Excel, ``;`` or decimal commas, ``d/m/y``
dates, an ``Amount`` column, column mappings) goes through ``engine="pandas"``.

Exact duplicates
----------------
The cleaning rule keeps the *first* of a set of exact duplicate lines. Exact duplicates are identical in
every column, so which copy is kept cannot change any result; the engines keep one row per distinct line
(``GROUP BY`` all columns) and count the rest as dropped, which needs no row order.
"""

from __future__ import annotations

import datetime as dt
import glob as globlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from retention.features import FEATURE_COLUMNS, RECENT_DAYS, as_day

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = [
    "ENGINES",
    "CustomerTable",
    "EngineConfig",
    "compile_sql",
    "customer_table",
    "differences",
    "input_files",
    "spark_session",
]

ENGINES: tuple[str, ...] = ("pandas", "duckdb", "spark")
"""Engine names accepted by :func:`customer_table` (and ``"auto"``)."""

EngineName = Literal["auto", "pandas", "duckdb", "spark"]

#: ``engine="auto"`` uses pandas below this total input size and DuckDB above it.
AUTO_PANDAS_MAX_BYTES = 64 * 1024 * 1024

_EPOCH = dt.date(1970, 1, 1)
_REQUIRED = ("InvoiceDate", "UnitPrice", "CustomerID")
_ALIASES = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}


# ---------------------------------------------------------------------------------------------------------
# Configuration and result
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineConfig:
    """What the feature step computes and how much of the machine DuckDB may use.

    Parameters
    ----------
    non_product_codes, max_quantity, max_unit_price, end_date
        The cleaning rules, as in :func:`retention.cleaning.clean_transactions` (``end_date`` None = the
        day of the latest line).
    peak_months, window_days
        As in :func:`retention.features.customer_features`.
    unit : {"D", "W"}
        Time unit of the BG/NBD summary, as in :func:`retention.clv.rfm_summary`.
    memory_limit : str, optional
        DuckDB ``memory_limit`` (e.g. ``"1GB"``); beyond it DuckDB spills to ``temp_directory``.
    temp_directory : str, optional
        DuckDB spill folder (default: DuckDB's own, ``.tmp`` beside the database or in the working folder).
    threads : int, optional
        DuckDB worker threads (default: all cores).
    work_tables : {"auto", "memory", "disk"}
        Where DuckDB keeps its work tables: in memory, or in a database file in ``temp_directory``
        (deleted afterwards) from which they can be evicted; ``"auto"`` chooses the file when they would
        not fit in ``memory_limit``.
    """

    non_product_codes: tuple[str, ...] = ()
    max_quantity: float = 10_000
    max_unit_price: float = 5_000.0
    end_date: Any = None
    peak_months: tuple[int, ...] = (10, 11, 12)
    window_days: int | None = None
    unit: Literal["D", "W"] = "D"
    memory_limit: str | None = None
    temp_directory: str | None = None
    threads: int | None = None
    work_tables: Literal["auto", "memory", "disk"] = "auto"

    def __post_init__(self) -> None:
        object.__setattr__(self, "non_product_codes", tuple(str(c) for c in self.non_product_codes))
        months = tuple(self.peak_months)
        if not all(isinstance(m, int | np.integer) and not isinstance(m, bool) and 1 <= m <= 12 for m in months):
            raise ValueError(f"peak_months must be whole month numbers from 1 to 12, got {list(months)}.")
        object.__setattr__(self, "peak_months", tuple(int(m) for m in months))
        if self.window_days is not None and (
            isinstance(self.window_days, bool) or not isinstance(self.window_days, int | np.integer)
            or self.window_days < 1
        ):
            raise ValueError(f"window_days must be a positive whole number of days or None, got {self.window_days!r}.")
        if self.unit not in ("D", "W"):
            raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {self.unit!r}")
        if self.work_tables not in ("auto", "memory", "disk"):
            raise ValueError(f"work_tables must be 'auto', 'memory' or 'disk', got {self.work_tables!r}")

    @classmethod
    def from_params(cls, params: Mapping[str, Any], **overrides: Any) -> EngineConfig:
        """The config of a validated params dict (``cleaning``, ``data.end_date``, ``features``, ``clv``)."""
        c = params["cleaning"]
        values: dict[str, Any] = {
            "non_product_codes": tuple(c["non_product_codes"]),
            "max_quantity": c["max_quantity"],
            "max_unit_price": c["max_unit_price"],
            "end_date": params["data"].get("end_date"),
            "peak_months": tuple(params.get("features", {}).get("peak_months", (10, 11, 12))),
            "unit": params.get("clv", {}).get("time_unit", "D"),
        }
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class CustomerTable:
    """The per-customer result of the feature step, identical whichever engine made it.

    Attributes
    ----------
    features : pandas.DataFrame
        :func:`retention.features.customer_features` as of ``cutoff`` (index CustomerID, sorted).
    summary : pandas.DataFrame
        :func:`retention.clv.rfm_summary` as of ``cutoff`` in ``config.unit`` (index CustomerID, sorted).
    ledger : pandas.DataFrame
        The cleaning ledger of :func:`retention.cleaning.clean_transactions` (rows and revenue per reason).
    rows_in : int
        Lines read.
    end_date : pandas.Timestamp
        The analysis end day used by the ``after_end_date`` rule.
    cutoff : pandas.Timestamp
        The feature cutoff day.
    engine : str
        The engine that ran.
    timings : dict of str to float
        Seconds spent in each stage (``load`` ... ``summary``), for benchmarks.
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


# ---------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------


def input_files(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> tuple[list[str], str]:
    """The files behind ``source`` and their format (``"parquet"`` or ``"csv"``).

    ``source`` is a file, a glob (``data/*.parquet``), a folder (its Parquet files, else its CSV files,
    searched recursively) or a list of files. Files are sorted by name: the order lines are read in.
    A URI (``s3a://bucket/log/``, ``hdfs://...``) is passed on as it is, for Spark: CSV when it ends in
    ``.csv``, else Parquet.
    """
    if isinstance(source, str) and "://" in source and not source.startswith("file://"):
        return [source], "csv" if source.lower().endswith(".csv") else "parquet"
    if isinstance(source, list | tuple):
        files = [str(Path(s)) for s in source]
    else:
        text = str(source)
        path = Path(text)
        if path.is_dir():
            files = []
            for pattern in ("*.parquet", "*.csv"):
                files = sorted(str(p) for p in path.rglob(pattern) if p.is_file())
                if files:
                    break
        elif any(ch in text for ch in "*?["):
            files = sorted(globlib.glob(text, recursive=True))
        else:
            files = [text]
    if not files:
        raise FileNotFoundError(f"{source}: no Parquet or CSV file found there.")
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise FileNotFoundError(f"{missing[0]}: the file does not exist.")
    suffixes = {Path(f).suffix.lower() for f in files}
    if suffixes == {".parquet"}:
        return files, "parquet"
    if suffixes <= {".csv"}:
        return files, "csv"
    raise ValueError(f"{source}: files must all be .parquet or all be .csv, found {sorted(suffixes)}.")


def _total_bytes(files: Iterable[str]) -> int:
    """Bytes of the local files (a URI counts as large)."""
    return sum(AUTO_PANDAS_MAX_BYTES if "://" in f else Path(f).stat().st_size for f in files)


def _day(value: Any, name: str) -> pd.Timestamp:
    day = as_day(value, name)
    if day.tzinfo is not None:
        raise ValueError(f"{name} {value!r} has a time zone; pass a naive date.")
    return day


def _day_number(day: pd.Timestamp) -> int:
    return int((day.normalize() - pd.Timestamp(_EPOCH)).days)


# ---------------------------------------------------------------------------------------------------------
# The definition (Ibis expressions, compiled to each engine's SQL)
# ---------------------------------------------------------------------------------------------------------


def _ibis() -> Any:
    try:
        import ibis
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "The DuckDB and Spark engines compile their SQL with Ibis: pip install 'retention[engine]' "
            "(or use engine='pandas')."
        ) from exc
    return ibis


def raw_schema(types: Mapping[str, str]) -> dict[str, str]:
    """Ibis types of the raw columns, from an engine's own type names (unknown -> string)."""
    out: dict[str, str] = {}
    for name, kind in types.items():
        k = kind.lower()
        if k.startswith(("timestamp", "datetime")):
            out[name] = "timestamp"
        elif k == "date":
            out[name] = "date"
        elif k in ("double", "float", "real") or k.startswith("decimal"):
            out[name] = "float64"
        elif k in ("bigint", "integer", "int", "smallint", "tinyint", "hugeint", "long", "short", "byte",
                   "ubigint", "uinteger", "usmallint", "utinyint"):
            out[name] = "int64"
        elif k in ("boolean", "bool"):
            out[name] = "boolean"
        else:
            out[name] = "string"
    return out


_TRIM: list[Any] = []


def _trim() -> Any:
    """SQL ``trim(x)``: spaces off both ends, the same function in DuckDB and Spark.

    Twice as fast as Ibis' ``strip()`` (which trims a set of whitespace characters); pandas' ``str.strip``
    also removes tabs and line breaks at the ends of a value, which exports do not put there.
    """
    if not _TRIM:
        ibis = _ibis()

        @ibis.udf.scalar.builtin(name="trim")
        def trim(value: str) -> str:  # pragma: no cover - compiled to SQL, never called
            ...

        _TRIM.append(trim)
    return _TRIM[0]


def _epoch_days(when: Any) -> Any:
    """Whole days since 1970-01-01 of a timestamp's calendar day."""
    ibis = _ibis()
    return when.date().delta(ibis.date(_EPOCH.year, _EPOCH.month, _EPOCH.day), unit="day").cast("int64")


def canonical_lines(raw: ibis.Table, headers: Mapping[str, str] | None = None) -> ibis.Table:
    """The canonical columns of :func:`retention.data.load`, ``Revenue`` and the loader's non-data flags.

    As the loader: text is stripped and empty text is missing; CustomerID loses a trailing ``.0``;
    Quantity (1 when the file has none) and UnitPrice are float; InvoiceDate a timestamp; a file without
    InvoiceNo gets one order per customer and day. ``blank_line`` marks lines with every field blank and
    ``repeated_header`` copies of the header line (``headers`` maps each column to its name in the file).
    """
    ibis = _ibis()
    schema = raw.schema()
    headers = dict(headers or {})
    missing = [c for c in _REQUIRED if c not in schema]
    if missing:
        raise ValueError(
            f"the input has no column(s) {missing} (it has {list(schema)}); the DuckDB and Spark engines read "
            f"canonical column names with {list(_REQUIRED)}: use engine='pandas' for other layouts."
        )
    trim = _trim()
    stripped = {name: trim(raw[name]) for name in schema if schema[name].is_string()}
    blank = {name: (stripped[name].isnull() | (stripped[name] == "")) if name in stripped else raw[name].isnull()
             for name in schema}
    same = {name: stripped[name].lower() == str(headers.get(name, name)).strip().lower()
            for name in stripped}
    blank_line = ibis.and_(*blank.values())
    n_same = sum((same[name].fill_null(False).cast("int64") for name in same), ibis.literal(0))
    header = ibis.and_(*[same[name].fill_null(False) | blank[name] if name in same else blank[name]
                         for name in schema]) & (n_same >= max(2, len(schema) // 2))
    data_line = ~(blank_line | header)

    def text(name: str) -> Any:
        if name not in schema:
            return ibis.null("string")
        value = stripped[name] if name in stripped else raw[name].cast("string")
        return value.nullif("")

    def number(name: str) -> Any:
        if name not in schema:
            return ibis.literal(1.0)
        value = stripped[name] if name in stripped else raw[name]
        return ibis.ifelse(data_line, value.cast("float64"), ibis.null("float64"))

    if "InvoiceDate" in stripped:
        when = ibis.ifelse(data_line, stripped["InvoiceDate"].nullif(""), ibis.null("string")).cast("timestamp")
    else:
        when = raw["InvoiceDate"].cast("timestamp")
    customer = text("CustomerID")
    customer = ibis.ifelse(customer.endswith(".0"), customer.substr(0, customer.length() - 2), customer).nullif("")
    invoice = text("InvoiceNo") if "InvoiceNo" in schema else \
        customer.fill_null("guest").concat("-", when.strftime("%Y%m%d"))
    lines = raw.select(
        InvoiceNo=invoice,
        StockCode=text("StockCode"),
        Description=text("Description"),
        Quantity=number("Quantity"),
        InvoiceDate=when,
        UnitPrice=number("UnitPrice"),
        CustomerID=customer,
        Country=text("Country"),
        blank_line=blank_line,
        repeated_header=header & ~blank_line,
    )
    return lines.mutate(Revenue=lines.Quantity * lines.UnitPrice)


def _rule_flags(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp) -> dict[str, Any]:
    """One boolean expression per rule of :data:`retention.cleaning.RULES` except ``duplicate_line``."""
    ibis = _ibis()
    invoice = lines.InvoiceNo.fill_null("")
    stock = lines.StockCode.fill_null("").upper()
    codes = sorted({c.upper() for c in config.non_product_codes})
    after = ibis.timestamp((end_day + pd.Timedelta(days=1)).to_pydatetime())
    flags = {
        "missing_customer_id": lines.CustomerID.isnull(),
        "missing_date": lines.InvoiceDate.isnull(),
        # upper(InvoiceNo) starts with "C"
        "cancellation": invoice.startswith("C") | invoice.startswith("c"),
        "non_positive_quantity": lines.Quantity <= 0,
        "non_product_code": stock.isin(codes) if codes else ibis.literal(False),
        "non_positive_price": lines.UnitPrice <= 0,
        "after_end_date": lines.InvoiceDate >= after,
        "outlier": (lines.Quantity.abs() > float(config.max_quantity))
        | (lines.UnitPrice > float(config.max_unit_price)),
    }
    unknown = [name for name, _ in _cleaning_rules() if name not in flags and name != "duplicate_line"]
    if unknown:
        raise NotImplementedError(f"cleaning rule(s) {unknown} are not defined for the DuckDB/Spark engines yet.")
    return flags


def _cleaning_rules() -> list[tuple[str, str]]:
    from retention import cleaning

    return list(cleaning.RULES)


def _load_rules() -> list[tuple[str, str]]:
    from retention import cleaning

    return list(getattr(cleaning, "LOAD_RULES", []))


def _is_return(flags: Mapping[str, Any]) -> Any:
    """Identified product lines of a cancellation (or with a non-positive quantity) that break no other rule."""
    barred = flags["missing_customer_id"]
    for name in ("missing_date", "non_product_code", "non_positive_price", "after_end_date", "outlier"):
        barred |= flags[name]
    return (flags["cancellation"] | flags["non_positive_quantity"]) & ~barred


def line_groups(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp,
                detect_duplicates: bool = True) -> ibis.Table:
    """Every line classified and collapsed in one pass: the table the ledger, features and summary read.

    ``reason`` is the first rule a line breaks (missing: kept; ``_missing_number`` for a line without
    Quantity or UnitPrice, an error). Kept lines are grouped on all eight canonical columns, so exact
    duplicates collapse into one row with ``copies`` > 1; returns on customer, time, quantity and price;
    every other dropped line into one row per reason. ``total`` is the summed revenue of the group,
    ``Revenue`` the revenue of one of its lines (SQL names are case-insensitive: not ``revenue``), ``day``
    the day number and ``month`` the calendar month.
    """
    ibis = _ibis()
    flags = _rule_flags(lines, config, end_day)
    bad_number = lines.Quantity.isnull() | lines.UnitPrice.isnull()
    cases = [(lines.blank_line, "blank_line"), (lines.repeated_header, "repeated_header"),
             (bad_number, "_missing_number")]
    cases += [(flags[name], name) for name, _ in _cleaning_rules() if name in flags]
    reason = ibis.cases(*cases, else_=ibis.null("string"))
    is_return = _is_return(flags) & ~(lines.blank_line | lines.repeated_header | bad_number)
    t = lines.mutate(reason=reason, is_return=is_return.fill_null(False))
    if not detect_duplicates:
        t = t.mutate(line=ibis.row_number())
    kept = t.reason.isnull()
    traced = kept | t.is_return
    keys = {
        "reason": t.reason,
        "is_return": t.is_return,
        "CustomerID": ibis.ifelse(traced, t.CustomerID, ibis.null("string")),
        "InvoiceNo": ibis.ifelse(kept, t.InvoiceNo, ibis.null("string")),
        "StockCode": ibis.ifelse(kept, t.StockCode, ibis.null("string")),
        "Description": ibis.ifelse(kept, t.Description, ibis.null("string")),
        "Quantity": ibis.ifelse(traced, t.Quantity, ibis.null("float64")),
        "InvoiceDate": ibis.ifelse(traced, t.InvoiceDate, ibis.null("timestamp")),
        "UnitPrice": ibis.ifelse(traced, t.UnitPrice, ibis.null("float64")),
        "Country": ibis.ifelse(kept, t.Country, ibis.null("string")),
    }
    if not detect_duplicates:
        keys["line"] = ibis.ifelse(kept, t.line, ibis.null("int64"))
    grouped = t.group_by(**keys).aggregate(copies=t.count(), total=t.Revenue.sum())
    return grouped.select(
        "reason", "is_return", "CustomerID", "InvoiceNo", "StockCode", "Country",
        day=_epoch_days(grouped.InvoiceDate),
        month=grouped.InvoiceDate.month().cast("int64"),
        Revenue=grouped.Quantity * grouped.UnitPrice,
        copies=grouped.copies,
        total=grouped.total,
    )


def ledger_counts(groups: ibis.Table) -> ibis.Table:
    """Per reason (missing = kept): lines, revenue, distinct kept lines and their revenue, the repeats."""
    extra = (groups.copies - 1).cast("float64")
    return groups.group_by("reason").aggregate(
        rows=groups.copies.sum(),
        revenue=groups.total.sum(),
        distinct_rows=groups.count(),
        distinct_revenue=groups.Revenue.sum(),
        repeat_rows=(groups.copies - 1).sum(),
        repeat_revenue=(extra * groups.Revenue).sum(),
        with_code=groups.StockCode.count(),
        positive_returns=(groups.is_return & (groups.Revenue > 0)).cast("int64").sum(),
    )


def purchase_days(groups: ibis.Table, cutoff_day: int) -> ibis.Table:
    """Kept revenue per customer and purchase day up to ``cutoff_day`` (the unit of the BG/NBD summary)."""
    kept = groups.filter(groups.reason.isnull() & (groups.day <= cutoff_day))
    return kept.group_by(["CustomerID", "day"]).aggregate(value=kept.Revenue.sum(), month=kept.month.max())


def _safe_div(num: Any, den: Any) -> Any:
    """num / den as float, missing when den is 0 (Spark's ANSI mode raises on division by zero)."""
    ibis = _ibis()
    den = den.cast("float64")
    return ibis.ifelse(den == 0, ibis.null("float64"), num.cast("float64") / den)


def customer_features_expr(groups: ibis.Table, days: ibis.Table, cutoff_day: int, peak_months: Sequence[int],
                           window_days: int | None, has_codes: bool) -> ibis.Table:
    """The columns of :func:`retention.features.customer_features` as of day number ``cutoff_day``.

    Day counts are differences of day numbers; "the last N days" are day numbers
    ``cutoff_day - N + 1 .. cutoff_day``. FirstPurchase and LastPurchase come out as day numbers.
    """
    ibis = _ibis()
    recent_start = cutoff_day + 1 - RECENT_DAYS
    start = None if window_days is None else cutoff_day + 1 - int(window_days)
    in_period = groups.day <= cutoff_day
    if start is not None:
        in_period &= groups.day >= start
        days = days.filter(days.day >= start)
    lines = groups.filter(groups.reason.isnull() & in_period)
    back_lines = groups.filter(groups.is_return & in_period)

    per_day = days.group_by("CustomerID").aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        order_days=days.count(),
        gross=days.value.sum(),
        peak=days.value.sum(where=days.month.isin(list(peak_months))),
        recent_gross=days.value.sum(where=days.day >= recent_start),
    )
    invoices = lines.group_by(["CustomerID", "InvoiceNo", "Country"]).aggregate(last_day=lines.day.max())
    per_invoice = invoices.group_by("CustomerID").aggregate(
        Frequency=invoices.InvoiceNo.nunique(),
        recent_orders=invoices.InvoiceNo.nunique(where=invoices.last_day >= recent_start),
    ).rename(CustomerID_i="CustomerID")
    known = invoices.filter(invoices.Country.notnull())
    by_country = known.group_by(["CustomerID", "Country"]).aggregate(invoices=known.InvoiceNo.nunique())
    ranked = by_country.mutate(
        rank=ibis.row_number().over(group_by="CustomerID", order_by=[ibis.desc("invoices"), "Country"])
    )
    top = ranked.filter(ranked["rank"] == 0).select(CustomerID_c="CustomerID", Country="Country")
    products = lines.group_by("CustomerID").aggregate(products=lines.StockCode.nunique()) \
        .rename(CustomerID_p="CustomerID")
    back_value = -back_lines.Revenue * back_lines.copies.cast("float64")
    back = back_lines.group_by("CustomerID").aggregate(
        back=back_value.sum(),
        recent_back=back_value.sum(where=back_lines.day >= recent_start),
    ).rename(CustomerID_b="CustomerID")

    joined = per_day.join(per_invoice, per_day.CustomerID == per_invoice.CustomerID_i)
    joined = joined.join(products, joined.CustomerID == products.CustomerID_p)
    joined = joined.left_join(back, joined.CustomerID == back.CustomerID_b)
    joined = joined.left_join(top, joined.CustomerID == top.CustomerID_c)

    gross = joined.gross
    back_total = joined.back.fill_null(0.0)
    recent_back = joined.recent_back.fill_null(0.0)
    safe_gross = ibis.ifelse(gross > 0, gross, ibis.null("float64"))
    tenure = (cutoff_day - joined.first_day).cast("int64")
    gaps = joined.order_days - 1
    span = (joined.last_day - joined.first_day).cast("float64")
    velocity = ibis.ifelse(gaps == 0, ibis.greatest(tenure, 1).cast("float64"), _safe_div(span, gaps))
    history = tenure + 1
    recent_days = ibis.least(history, RECENT_DAYS)
    share = ibis.ifelse(gross > 0, joined.peak.fill_null(0.0) / safe_gross, 0.0)
    rate = ibis.ifelse(gross > 0, back_total / safe_gross, 0.0)
    trend = _safe_div(_safe_div(joined.recent_orders, recent_days), _safe_div(joined.Frequency, history))
    columns = {
        "CustomerID": joined.CustomerID,
        "Recency": (cutoff_day - joined.last_day).cast("int64"),
        "Frequency": joined.Frequency.cast("int64"),
        "Monetary": ibis.greatest(gross - back_total, 0.0),
        "Tenure": tenure,
        "PurchaseVelocity": velocity,
        "AvgOrderValue": _safe_div(gross, joined.Frequency),
        "ReturnRate": ibis.least(ibis.greatest(rate, 0.0), 1.0),
        "UniqueProducts": joined.products.cast("float64") if has_codes else ibis.null("float64"),
        "PeakSeasonShare": share,
        "PeakSeason": share >= 0.5,
        f"Frequency_{RECENT_DAYS}d": joined.recent_orders.cast("int64"),
        f"Monetary_{RECENT_DAYS}d": ibis.greatest(joined.recent_gross.fill_null(0.0) - recent_back, 0.0),
        "OrdersPerMonthRecentVsOverall": trend,
        "Country": joined.Country,
        "FirstPurchase": joined.first_day.cast("int64"),
        "LastPurchase": joined.last_day.cast("int64"),
    }
    return joined.select(**columns).order_by("CustomerID")


def bgnbd_summary_expr(days: ibis.Table, cutoff_day: int, unit: str) -> ibis.Table:
    """The columns of :func:`retention.clv.rfm_summary` as of day number ``cutoff_day`` in ``unit``."""
    ibis = _ibis()
    per_unit = {"D": 1.0, "W": 7.0}[unit]
    per = days.group_by("CustomerID").aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        n_days=days.count(),
        total=days.value.sum(),
        first_value=days.value.argmin(days.day),
    )
    frequency = (per.n_days - 1).cast("int64")
    monetary = ibis.ifelse(frequency > 0, _safe_div(per.total - per.first_value, frequency), 0.0)
    return per.select(
        CustomerID=per.CustomerID,
        frequency=frequency,
        recency=(per.last_day - per.first_day).cast("float64") / per_unit,
        T=(cutoff_day - per.first_day).cast("float64") / per_unit,
        monetary_value=monetary,
    ).order_by("CustomerID")


def _dialect_sql(expr: ibis.Expr, dialect: str) -> str:
    ibis = _ibis()
    if dialect == "pyspark":
        ibis.pyspark  # noqa: B018 - registers the pyspark compiler's options
    return ibis.to_sql(expr, dialect=dialect)


_GROUPS_SCHEMA = {"reason": "string", "is_return": "boolean", "CustomerID": "string", "InvoiceNo": "string",
                  "StockCode": "string", "Country": "string", "day": "int64", "month": "int64",
                  "Revenue": "float64", "copies": "int64", "total": "float64"}
_DAYS_SCHEMA = {"CustomerID": "string", "day": "int64", "value": "float64", "month": "int64"}


def compile_sql(dialect: Literal["duckdb", "pyspark"], raw_types: Mapping[str, str], cutoff: Any,
                config: EngineConfig | None = None, *, end_date: Any = None, has_codes: bool = True,
                detect_duplicates: bool = True, names: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None, steps: Iterable[str] | None = None) -> dict[str, str]:
    """The SQL text of each step of the feature step for ``dialect``, for running or reading.

    ``raw_types`` maps the raw columns to engine type names (e.g. ``{"Quantity": "BIGINT", ...}``). The
    steps, in run order: ``head`` (last date and line count of ``raw``), ``groups`` (the classified,
    collapsed lines, to be stored as table ``groups``), ``ledger`` (from ``groups``), ``days`` (to be
    stored as ``days``), ``features`` and ``summary``. ``names`` renames the tables.
    """
    ibis = _ibis()
    config = config or EngineConfig()
    names = {"raw": "raw", "groups": "groups", "days": "days", **(names or {})}
    wanted = set(steps or ("head", "groups", "ledger", "days", "features", "summary"))
    raw = ibis.table(raw_schema(raw_types), name=names["raw"])
    groups = ibis.table(_GROUPS_SCHEMA, name=names["groups"])
    days = ibis.table(_DAYS_SCHEMA, name=names["days"])
    end = _day(end_date if end_date is not None else (config.end_date or "1970-01-01"), "end_date")
    cutoff_day = _day_number(_day(cutoff, "cutoff"))
    builders = {
        "head": lambda: _head(canonical_lines(raw, headers)),
        "groups": lambda: line_groups(canonical_lines(raw, headers), config, end, detect_duplicates),
        "ledger": lambda: ledger_counts(groups),
        "days": lambda: purchase_days(groups, cutoff_day),
        "features": lambda: customer_features_expr(groups, days, cutoff_day, config.peak_months,
                                                   config.window_days, has_codes),
        "summary": lambda: bgnbd_summary_expr(days, cutoff_day, config.unit),
    }
    return {name: _dialect_sql(build(), dialect) for name, build in builders.items() if name in wanted}


def _head(lines: ibis.Table) -> ibis.Table:
    data = lines.filter(~(lines.blank_line | lines.repeated_header))
    return data.aggregate(last=data.InvoiceDate.max(), rows=data.count())


# ---------------------------------------------------------------------------------------------------------
# Runners: where the SQL is executed
# ---------------------------------------------------------------------------------------------------------


_UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30,
          "TIB": 2**40}


def _bytes(text: str) -> float:
    """``"1GB"``, ``"1.5 GiB"``, ``"800MB"`` -> bytes (DuckDB's memory_limit notation)."""
    number = text.strip().upper().rstrip("S")
    unit = next((u for u in sorted(_UNITS, key=len, reverse=True) if number.endswith(u)), "B")
    return float(number[: len(number) - len(unit)].strip() or 0) * _UNITS[unit]


def _work_tables_on_disk(config: EngineConfig, files: list[str], kind: str) -> bool:
    """``work_tables="auto"``: on disk when about 10 bytes per Parquet byte (1 per CSV byte) of work
    tables would not fit in ``memory_limit``."""
    if config.work_tables != "auto":
        return config.work_tables == "disk"
    if not config.memory_limit:
        return False
    estimate = _total_bytes(files) * (10 if kind == "parquet" else 1)
    return estimate > _bytes(config.memory_limit)


class _DuckDBRunner:
    dialect = "duckdb"

    def __init__(self, files: list[str], kind: str, config: EngineConfig) -> None:
        import duckdb

        settings: dict[str, Any] = {"preserve_insertion_order": False}
        if config.memory_limit:
            settings["memory_limit"] = config.memory_limit
        if config.temp_directory:
            Path(config.temp_directory).mkdir(parents=True, exist_ok=True)
            settings["temp_directory"] = str(config.temp_directory)
        if config.threads:
            settings["threads"] = int(config.threads)
        # Work tables larger than the memory limit live in a database file in the spill folder: DuckDB can
        # evict those to disk, which it cannot do with the table data of an in-memory database.
        self._database: Path | None = None
        if _work_tables_on_disk(config, files, kind):
            folder = Path(config.temp_directory) if config.temp_directory else Path(tempfile.gettempdir())
            folder.mkdir(parents=True, exist_ok=True)
            self._database = folder / f"retention-engine-{uuid.uuid4().hex[:12]}.duckdb"
        self.con = duckdb.connect(str(self._database or ":memory:"), config=settings)
        if self._database:  # written once, read three times: compressing costs more CPU than it saves
            self.con.execute("PRAGMA force_compression='uncompressed'")
        listed = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
        if kind == "parquet":
            reader = f"read_parquet({listed}, union_by_name = true)"
        else:
            reader = (f"read_csv({listed}, header = true, delim = ',', quote = '\"', escape = '\"', "
                      "all_varchar = true, union_by_name = true)")
        rows = self.con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        present = {r[0] for r in rows}
        self.headers: dict[str, str] = {}
        self._types: dict[str, str] = {}
        for name, type_name, *_ in rows:
            new = _ALIASES.get(name, name) if _ALIASES.get(name) not in present else name
            self.headers[new] = name
            self._types[new] = str(type_name)
        select = ", ".join(f'"{old}" AS "{new}"' for new, old in self.headers.items())
        self.con.execute(f"CREATE VIEW raw AS SELECT {select} FROM {reader}")
        self.names = {"raw": "raw", "groups": "groups", "days": "days"}

    def types(self) -> dict[str, str]:
        return dict(self._types)

    def materialize(self, name: str, sql: str) -> None:
        temp = "" if self._database else "TEMP "
        self.con.execute(f"CREATE OR REPLACE {temp}TABLE {self.names[name]} AS {sql}")

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def close(self) -> None:
        self.con.close()
        if self._database:
            for path in (self._database, self._database.with_name(self._database.name + ".wal")):
                path.unlink(missing_ok=True)


class _SparkRunner:
    dialect = "pyspark"

    def __init__(self, files: list[str], kind: str, config: EngineConfig, spark: Any) -> None:
        self.spark = spark
        tag = uuid.uuid4().hex[:8]
        self.names = {name: f"retention_{name}_{tag}" for name in ("raw", "groups", "days")}
        self._timezone = spark.conf.get("spark.sql.session.timeZone")
        # Day numbers and timestamp literals must not depend on the session's time zone.
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        if kind == "parquet":
            frame = spark.read.parquet(*files)
        else:
            frame = spark.read.csv(files, header=True, inferSchema=False, quote='"', escape='"')
        self.headers = {}
        for name in list(frame.columns):
            new = _ALIASES.get(name, name) if _ALIASES.get(name) not in frame.columns else name
            if new != name:
                frame = frame.withColumnRenamed(name, new)
            self.headers[new] = name
        self.frame = frame
        frame.createOrReplaceTempView(self.names["raw"])
        self._cached: list[Any] = []

    def types(self) -> dict[str, str]:
        return {f.name: f.dataType.simpleString() for f in self.frame.schema.fields}

    def materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).cache()
        self._cached.append(frame)
        frame.createOrReplaceTempView(self.names[name])

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.spark.sql(sql).toPandas()

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        for name in self.names.values():
            self.spark.catalog.dropTempView(name)
        self.spark.conf.set("spark.sql.session.timeZone", self._timezone)


def spark_session(master: str = "local[2]", app_name: str = "retention", **conf: str) -> Any:
    """A SparkSession for the engine: ``master`` is ``local[N]`` or a cluster URL (``spark://host:7077``).

    UTC session time, Arrow transfers to pandas, few shuffle partitions (customer tables are small),
    no UI; ``conf`` adds or overrides Spark settings.
    """
    from pyspark.sql import SparkSession

    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.shuffle.partitions": "8",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **conf,
    }
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


# ---------------------------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------------------------


def _ledger(counts: pd.DataFrame) -> pd.DataFrame:
    """The cleaning ledger in the layout of :func:`retention.cleaning.clean_transactions`."""
    by_reason = {(None if pd.isna(r) else r): row for r, row in zip(counts["reason"], counts.to_dict("records"),
                                                                     strict=True)}
    kept = by_reason.get(None, {})

    def value(reason: str | None, column: str) -> float:
        number = by_reason.get(reason, {}).get(column, 0)
        return 0 if number is None or pd.isna(number) else number

    rows = [{"reason": name, "rule": text, "rows": int(value(name, "rows")), "revenue": 0.0}
            for name, text in _load_rules()]
    for name, text in _cleaning_rules():
        if name == "duplicate_line":
            rows.append({"reason": name, "rule": text, "rows": int(value(None, "repeat_rows")),
                         "revenue": float(value(None, "repeat_revenue"))})
        else:
            rows.append({"reason": name, "rule": text, "rows": int(value(name, "rows")),
                         "revenue": float(value(name, "revenue"))})
    loader = {name for name, _ in _load_rules()}
    data_rows = counts[~counts["reason"].isin(loader)]
    n_in = int(counts["rows"].sum())
    rows = [{"reason": "rows_in", "rule": "lines read from the file", "rows": n_in,
             "revenue": float(data_rows["revenue"].fillna(0.0).sum())},
            *rows,
            {"reason": "rows_kept", "rule": "purchase lines used by every report",
             "rows": int(kept.get("distinct_rows", 0) or 0), "revenue": float(value(None, "distinct_revenue"))}]
    ledger = pd.DataFrame(rows)
    ledger.insert(0, "step", range(len(ledger)))
    ledger["share_of_rows"] = ledger["rows"] / n_in if n_in else 0.0
    if n_in != int(ledger["rows"].iloc[1:].sum()):
        raise AssertionError("cleaning ledger does not add up")
    return ledger


def _days_to_timestamps(days: pd.Series) -> pd.Series:
    values = days.to_numpy(dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    return pd.Series(values, index=days.index)


def _finish_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Engine rows -> the exact dtypes and layout of :func:`retention.features.customer_features`."""
    out = frame.set_index(frame["CustomerID"].astype("string"))
    out.index.name = "CustomerID"
    for column in ("Recency", "Frequency", "Tenure", f"Frequency_{RECENT_DAYS}d"):
        out[column] = out[column].astype(np.int64)
    for column in ("Monetary", "PurchaseVelocity", "AvgOrderValue", "ReturnRate", "UniqueProducts",
                   "PeakSeasonShare", f"Monetary_{RECENT_DAYS}d", "OrdersPerMonthRecentVsOverall"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["PeakSeason"] = out["PeakSeason"].astype(bool)
    out["Country"] = out["Country"].astype("str")
    out["FirstPurchase"] = _days_to_timestamps(out["FirstPurchase"])
    out["LastPurchase"] = _days_to_timestamps(out["LastPurchase"])
    return out.sort_index()[list(FEATURE_COLUMNS)]


def _finish_summary(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.set_index(frame["CustomerID"].astype("string"))
    out.index.name = "CustomerID"
    out = out[["frequency", "recency", "T", "monetary_value"]].copy()
    out["frequency"] = out["frequency"].astype(np.int64)
    for column in ("recency", "T", "monetary_value"):
        out[column] = out[column].astype(float)
    return out.sort_index()


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._last
        self._last = now


def _run_sql(runner: Any, cutoff: Any, config: EngineConfig, engine: str) -> CustomerTable:
    clock = _Clock()
    types = runner.types()
    identity = {"InvoiceNo", "StockCode"} <= set(types)
    options = {"names": runner.names, "headers": runner.headers, "detect_duplicates": identity}
    head = runner.fetch(compile_sql(runner.dialect, types, "1970-01-01", config, steps=["head"], **options)["head"])
    head = head.iloc[0]
    if pd.isna(head["last"]):
        raise ValueError("the input has no dated transaction line.")
    end = _day(config.end_date, "end_date") if config.end_date is not None else pd.Timestamp(head["last"]).normalize()
    cutoff_day = end.normalize() if cutoff is None else _day(cutoff, "cutoff").normalize()
    sql = compile_sql(runner.dialect, types, cutoff_day, config, end_date=end, steps=["groups", "ledger", "days"],
                      **options)
    clock.lap("load")
    runner.materialize("groups", sql["groups"])
    clock.lap("clean")
    counts = runner.fetch(sql["ledger"])
    counts["reason"] = counts["reason"].astype(object).where(counts["reason"].notna(), None)
    if (counts["reason"] == "_missing_number").any():
        n = int(counts.loc[counts["reason"] == "_missing_number", "rows"].sum())
        raise ValueError(f"{n:,} line(s) have no Quantity or UnitPrice; fill them in (or remove the lines).")
    if int(counts["positive_returns"].fillna(0).sum()):
        raise ValueError("returns must hold cancellation lines with Revenue <= 0; some are positive.")
    ledger = _ledger(counts)
    kept = counts[counts["reason"].isna()]
    has_codes = bool(len(kept)) and int(kept["with_code"].fillna(0).sum()) > 0
    if ledger["rows"].iloc[-1] == 0:
        raise ValueError("no purchase line is left after cleaning; see the ledger rules.")
    clock.lap("ledger")
    runner.materialize("days", sql["days"])
    sql = compile_sql(runner.dialect, types, cutoff_day, config, end_date=end, has_codes=has_codes,
                      steps=["features", "summary"], **options)
    features = runner.fetch(sql["features"])
    if features.empty:
        period = "" if config.window_days is None else f" within the {config.window_days}-day window"
        raise ValueError(f"No customer has a transaction on or before the cutoff {cutoff_day.date()}{period}.")
    features = _finish_features(features)
    clock.lap("features")
    summary = _finish_summary(runner.fetch(sql["summary"]))
    clock.lap("summary")
    return CustomerTable(features=features, summary=summary, ledger=ledger, rows_in=int(ledger["rows"].iloc[0]),
                         end_date=end, cutoff=cutoff_day, engine=engine, timings=clock.timings)


def _run_pandas(files: list[str], cutoff: Any, config: EngineConfig) -> CustomerTable:
    from retention import cleaning, clv, data, features

    clock = _Clock()
    if len(files) == 1:
        loaded = data.load(files[0])
        raw, dropped, identity = loaded.transactions, loaded.dropped, loaded.line_identity
    else:
        parts = [data.load(f) for f in files]
        raw = pd.concat([p.transactions for p in parts], ignore_index=True)
        dropped = {}
        for part in parts:
            for reason, n in part.dropped.items():
                dropped[reason] = dropped.get(reason, 0) + n
        identity = all(p.line_identity for p in parts)
    clock.lap("load")
    result = cleaning.clean_transactions(raw, non_product_codes=config.non_product_codes,
                                         max_quantity=config.max_quantity, max_unit_price=config.max_unit_price,
                                         end_date=config.end_date, pre_dropped=dropped,
                                         detect_duplicates=identity)
    clock.lap("clean")
    cutoff_day = result.end_date.normalize() if cutoff is None else _day(cutoff, "cutoff").normalize()
    table = features.customer_features(result.transactions, cutoff_day, returns=result.returns,
                                       peak_months=config.peak_months, window_days=config.window_days)
    clock.lap("features")
    summary = clv.rfm_summary(result.transactions, cutoff_day, unit=config.unit)
    clock.lap("summary")
    return CustomerTable(features=table, summary=summary, ledger=result.ledger, rows_in=result.rows_in,
                         end_date=result.end_date, cutoff=cutoff_day, engine="pandas", timings=clock.timings)


def customer_table(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], cutoff: Any = None, *,
                   config: EngineConfig | None = None, engine: EngineName = "auto", spark: Any = None,
                   **overrides: Any) -> CustomerTable:
    """Clean a transaction log and build the customer table (features + BG/NBD summary) as of ``cutoff``.

    Parameters
    ----------
    source : path, glob, folder or list of paths
        Parquet or CSV files in the canonical columns (see :func:`input_files`).
    cutoff : date-like, optional
        Feature and summary cutoff day (inclusive); default: the analysis end date.
    config : EngineConfig, optional
        Cleaning rules, feature options and DuckDB limits; keyword ``overrides`` replace its fields.
    engine : {"auto", "pandas", "duckdb", "spark"}
        ``"auto"`` uses pandas for inputs under 64 MB and DuckDB above.
    spark : pyspark.sql.SparkSession, optional
        The session for ``engine="spark"`` (default: :func:`spark_session` in local mode).

    Returns
    -------
    CustomerTable
        Features, summary and cleaning ledger; the same (to float rounding) for every engine.
    """
    config = replace(config or EngineConfig(), **overrides) if overrides else (config or EngineConfig())
    files, kind = input_files(source)
    if engine == "auto":
        engine = "pandas" if _total_bytes(files) < AUTO_PANDAS_MAX_BYTES else "duckdb"
    if engine == "pandas":
        return _run_pandas(files, cutoff, config)
    if engine == "duckdb":
        runner: Any = _DuckDBRunner(files, kind, config)
    elif engine == "spark":
        runner = _SparkRunner(files, kind, config, spark if spark is not None else spark_session())
    else:
        raise ValueError(f"engine must be one of {['auto', *ENGINES]}, got {engine!r}.")
    try:
        return _run_sql(runner, cutoff, config, engine)
    finally:
        runner.close()


def differences(a: CustomerTable, b: CustomerTable, *, rtol: float = 1e-9, atol: float = 1e-9) -> list[str]:
    """Where two customer tables disagree, one line each (empty: they agree).

    Integers, days, booleans and strings must be equal; floats within ``rtol`` relative (or ``atol``
    absolute, for values near 0) and missing in the same places. Index, columns and dtypes must match.
    """
    found: list[str] = []
    for name in ("features", "summary", "ledger"):
        x, y = getattr(a, name), getattr(b, name)
        if list(x.columns) != list(y.columns):
            found.append(f"{name}: columns {list(x.columns)} != {list(y.columns)}")
            continue
        if not x.index.equals(y.index) or x.index.dtype != y.index.dtype:
            found.append(f"{name}: index differs ({len(x)} vs {len(y)} rows, {x.index.dtype} vs {y.index.dtype})")
            continue
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
