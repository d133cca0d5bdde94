"""The vocabulary the definitions are written in: Ibis helpers, day numbers, work-table schemas, SQL text.

Ibis is used as a compiler only: every definition is an expression over abstract tables (``ibis.table``
with a schema and a name) and :func:`to_sql` turns it into the SQL text of one dialect (``"duckdb"`` or
``"pyspark"``), which the engine's own client runs (:mod:`retention.engine.runners`). Days are whole
numbers counted from 1970-01-01 (:func:`epoch_days`), computed once per line; day counts are differences
of day numbers, so no date arithmetic is repeated per line or per cutoff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from retention.features import as_day

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = [
    "BACK_SCHEMA",
    "CUTOFFS_SCHEMA",
    "DAYS_SCHEMA",
    "DIALECTS",
    "INVOICES_SCHEMA",
    "LINES_SCHEMA",
    "NEW_PRODUCTS_SCHEMA",
    "RETURNS_SCHEMA",
    "arg_min",
    "day_number",
    "epoch_days",
    "ibis_module",
    "month_index",
    "naive_day",
    "raw_schema",
    "exact_sum",
    "safe_div",
    "to_sql",
    "trim",
    "work_table",
]

DIALECTS: tuple[str, ...] = ("duckdb", "pyspark")
EPOCH = dt.date(1970, 1, 1)

LINES_SCHEMA: dict[str, str] = {
    "InvoiceNo": "string", "StockCode": "string", "Description": "string", "Quantity": "float64",
    "InvoiceDate": "timestamp", "UnitPrice": "float64", "CustomerID": "string", "Country": "string",
    "Revenue": "float64", "day": "int32", "month": "int32", "copies": "int64",
}
"""The distinct kept lines (one row per set of exact duplicates, ``copies`` of them); ``day`` is the day
number of InvoiceDate and ``month`` its month index (``12 * year + month - 1``)."""

RETURNS_SCHEMA: dict[str, str] = {k: v for k, v in LINES_SCHEMA.items() if k != "copies"}
"""The returns: every identified product line of a cancellation that breaks no other rule."""

DAYS_SCHEMA: dict[str, str] = {"CustomerID": "string", "day": "int32", "month": "int32", "value": "float64"}
"""Kept revenue per customer and purchase day (the purchase unit of the BTYD summaries)."""

INVOICES_SCHEMA: dict[str, str] = {
    "CustomerID": "string", "InvoiceNo": "string", "Country": "string", "day": "int32", "month": "int32",
    "value": "float64", "lines": "int64", "items": "float64", "first_time": "timestamp", "last_time": "timestamp",
}
"""Kept lines per customer, invoice, country and day: value, lines, items, the earliest and latest time."""

NEW_PRODUCTS_SCHEMA: dict[str, str] = {"CustomerID": "string", "day": "int32", "products": "int64"}
"""Products (StockCodes) a customer buys for the first time, per day."""

BACK_SCHEMA: dict[str, str] = {"CustomerID": "string", "day": "int32", "value": "float64"}
"""Returned value (positive) per customer and day."""

CUTOFFS_SCHEMA: dict[str, str] = {"cutoff": "int32"}
"""Cutoff day numbers, one row each."""


def ibis_module() -> Any:
    """The ``ibis`` module, or an ImportError saying which extra to install."""
    try:
        import ibis
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "The DuckDB and Spark engines compile their SQL with Ibis: pip install 'retention[engine]' "
            "(or use engine='pandas')."
        ) from exc
    return ibis


def work_table(schema: Mapping[str, str], name: str) -> ibis.Table:
    """An abstract table ``name`` with ``schema``: what a definition reads."""
    return ibis_module().table(dict(schema), name=name)


def to_sql(expr: ibis.Expr, dialect: str) -> str:
    """The SQL text of ``expr`` in ``dialect`` (``"duckdb"`` or ``"pyspark"``)."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {list(DIALECTS)}, got {dialect!r}")
    ibis = ibis_module()
    if dialect == "pyspark":
        ibis.pyspark  # noqa: B018 - registers the pyspark compiler's options
    return ibis.to_sql(expr, dialect=dialect)


def raw_schema(types: Mapping[str, str]) -> dict[str, str]:
    """Ibis types of the raw columns, from an engine's own type names (unknown -> string)."""
    integers = ("bigint", "integer", "int", "smallint", "tinyint", "hugeint", "long", "short", "byte",
                "ubigint", "uinteger", "usmallint", "utinyint")
    out: dict[str, str] = {}
    for name, kind in types.items():
        k = kind.lower()
        if k.startswith(("timestamp", "datetime")):
            out[name] = "timestamp"
        elif k == "date":
            out[name] = "date"
        elif k in ("double", "float", "real") or k.startswith("decimal"):
            out[name] = "float64"
        elif k in integers:
            out[name] = "int64"
        elif k in ("boolean", "bool"):
            out[name] = "boolean"
        else:
            out[name] = "string"
    return out


_BUILTINS: dict[str, Any] = {}


def trim(value: Any) -> Any:
    """SQL ``trim(x)``: spaces off both ends, the same function in DuckDB and Spark.

    Twice as fast as Ibis' ``strip()`` (which trims a set of whitespace characters); pandas' ``str.strip``
    also removes tabs and line breaks at the ends of a value, which exports do not put there.
    """
    if "trim" not in _BUILTINS:
        ibis = ibis_module()

        @ibis.udf.scalar.builtin(name="trim")
        def _trim(value: str) -> str:  # pragma: no cover - compiled to SQL, never called
            ...

        _BUILTINS["trim"] = _trim
    return _BUILTINS["trim"](value)


def arg_min(value: Any, key: Any, dialect: str) -> Any:
    """``value`` at the smallest ``key`` of a group (keys unique within the group).

    DuckDB's ``arg_min`` and Spark's ``min_by``: Ibis' own ``argmin`` compiles to an ordered aggregate
    (``first(value ORDER BY key)``), which sorts every group.
    """
    name = "arg_min" if dialect == "duckdb" else "min_by"
    if name not in _BUILTINS:
        ibis = ibis_module()

        @ibis.udf.agg.builtin(name=name)
        def _arg_min(value: float, key: int) -> float:  # pragma: no cover - compiled to SQL, never called
            ...

        _BUILTINS[name] = _arg_min
    return _BUILTINS[name](value, key)


def epoch_days(when: Any) -> Any:
    """Whole days from 1970-01-01 to a timestamp's calendar day, as int32."""
    ibis = ibis_module()
    return when.date().delta(ibis.date(EPOCH.year, EPOCH.month, EPOCH.day), unit="day").cast("int32")


def month_index(when: Any) -> Any:
    """``12 * year + month - 1`` of a timestamp, as int32: calendar months in order, month of year ``% 12 + 1``."""
    return (when.year() * 12 + when.month() - 1).cast("int32")


def safe_div(num: Any, den: Any) -> Any:
    """num / den as float, missing when den is 0 (Spark's ANSI mode raises on division by zero)."""
    ibis = ibis_module()
    den = den.cast("float64")
    return ibis.ifelse(den == 0, ibis.null("float64"), num.cast("float64") / den)


MONEY_SCALE = 1_000_000
"""Units per money (or quantity) unit in which :func:`exact_sum` adds: micro-units."""


def exact_sum(value: Any, where: Any = None) -> Any:
    """The sum of a money or quantity column that is the same whatever order the engine adds in.

    Floats added in parallel give different last bits from run to run (65419.93 once, 65419.92999999999 the
    next), and a model fitted on them, a chart's embedded data or a CSV would differ between reruns. Each value
    is turned into whole micro-units (``round(value * 1e6)`` as int64) and the integers are added, which is
    exact in any order; the total comes back as float. Prices and amounts with more than six decimals lose the
    digits beyond the sixth, per line.
    """
    units = (value * MONEY_SCALE).round().cast("int64")
    total = units.sum() if where is None else units.sum(where=where)
    return total.cast("float64") / MONEY_SCALE


def naive_day(value: Any, name: str) -> pd.Timestamp:
    """``value`` as a naive midnight timestamp, or a ValueError naming ``name``."""
    day = as_day(value, name)
    if day.tzinfo is not None:
        raise ValueError(f"{name} {value!r} has a time zone; pass a naive date.")
    return day.normalize()


def day_number(day: pd.Timestamp) -> int:
    """The day number (days since 1970-01-01) of a timestamp's calendar day."""
    return int((day.normalize() - pd.Timestamp(EPOCH)).days)
