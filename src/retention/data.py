"""Load a transaction file into the canonical schema, and validate it with messages a person can act on.

The canonical schema is the UCI Online Retail layout: InvoiceNo, StockCode, Description, Quantity,
InvoiceDate, UnitPrice, CustomerID, Country. Online Retail II names (Invoice, Price, Customer ID) are
recognised as they are; any other export comes in through an explicit column mapping. Only
CustomerID, InvoiceDate and a money column are required: a file with just customer, date and amount
loads, and the columns it lacks are reported so analyses that need them can say so and skip.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "CANONICAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "ONLINE_RETAIL_II_NAMES",
    "DataValidationError",
    "read_table",
    "to_canonical",
    "load_transactions",
    "available_columns",
]

CANONICAL_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                     "CustomerID", "Country"]
REQUIRED_COLUMNS = ["CustomerID", "InvoiceDate"]
OPTIONAL_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Country"]
ONLINE_RETAIL_II_NAMES = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}
# An "Amount" column (line total) may stand in for Quantity x UnitPrice.
AMOUNT_COLUMN = "Amount"
MAX_EXAMPLES = 3


class DataValidationError(ValueError):
    """The input file cannot be analysed as it is. The message says where, how much, and the fix."""


def _examples(values: Iterable[object]) -> str:
    shown = [repr(v) for v in list(values)[:MAX_EXAMPLES]]
    return ", ".join(shown) if shown else "none"


def _fail(file: str, column: str | None, problem: str, rows: int | None, examples: Iterable[object], fix: str):
    where = f"{file}, column '{column}'" if column else file
    count = f" ({rows:,} rows; e.g. {_examples(examples)})" if rows is not None else ""
    raise DataValidationError(f"{where}: {problem}{count}. Fix: {fix}")


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read CSV, Parquet or Excel into a DataFrame of raw columns (all Excel sheets stacked by default)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        _fail(name, None, "the file does not exist", None, [],
              "check data.path in your params file (paths are relative to the project root)")
    if path.stat().st_size == 0:
        _fail(name, None, "the file is empty", None, [], "export the transactions again")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        sheets = pd.read_excel(path, sheet_name=sheet if sheet is not None else None)
        if isinstance(sheets, dict):
            return pd.concat(list(sheets.values()), ignore_index=True)
        return sheets
    if suffix in {".csv", ".txt", ".tsv"}:
        return pd.read_csv(path, sep=None if suffix != ".csv" else ",", engine="python" if suffix != ".csv" else "c",
                           dtype=str, keep_default_na=False, na_values=[""])
    _fail(name, None, f"unsupported file type '{suffix}'", None, [], "use .csv, .parquet or .xlsx")
    raise AssertionError("unreachable")


def _rename(raw: pd.DataFrame, column_map: Mapping[str, str], file: str) -> pd.DataFrame:
    mapping = dict(ONLINE_RETAIL_II_NAMES)
    mapping.update(column_map)
    allowed = set(CANONICAL_COLUMNS) | {AMOUNT_COLUMN}
    for source, target in column_map.items():
        if target not in allowed:
            _fail(file, source, f"the mapping sends it to '{target}', which is not a canonical column", None, [],
                  f"map it to one of {sorted(allowed)}")
        if source not in raw.columns:
            _fail(file, source, "the mapping names a column the file does not have", None, [],
                  f"the file's columns are {list(raw.columns)}")
    df = raw.rename(columns={c: mapping[c] for c in raw.columns if c in mapping})
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _check_required(df: pd.DataFrame, file: str) -> None:
    money = {"Quantity", "UnitPrice"} <= set(df.columns) or AMOUNT_COLUMN in df.columns or "UnitPrice" in df.columns
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if not money:
        missing.append("UnitPrice (or Amount)")
    if missing:
        column = missing[0]
        base = column.split(" ")[0]
        close = difflib.get_close_matches(base, [str(c) for c in df.columns], n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? Map it with data.columns: {{'{close[0]}': '{base}'}}" if close else (
            f"add data.columns: {{'<your column>': '{base}'}} to your params file")
        _fail(file, column, f"a required column is missing (the file has {list(df.columns)})", None, [], hint)


def _parse_dates(values: pd.Series, file: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        return parsed.astype("datetime64[ns]")
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    if parsed.isna().sum() > text.isna().sum():
        retry = pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=False)
        if retry.notna().sum() > parsed.notna().sum():
            parsed = retry
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    bad = parsed.isna() & text.notna()
    if bad.any():
        _fail(file, "InvoiceDate", "dates that do not parse", int(bad.sum()), text[bad].unique(),
              "write dates as YYYY-MM-DD HH:MM (ISO 8601), or fix the listed values")
    if text.isna().any():
        _fail(file, "InvoiceDate", "missing dates", int(text.isna().sum()), [], "every line needs a date")
    return parsed.astype("datetime64[ns]")


def _parse_number(values: pd.Series, column: str, file: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.strip()
    parsed = pd.to_numeric(text, errors="coerce")
    bad = parsed.isna() & text.notna()
    if bad.any():
        _fail(file, column, "values that are not numbers", int(bad.sum()), text[bad].unique(),
              "use plain numbers with a dot as decimal mark (no currency signs or thousands separators)")
    return parsed.astype(float)


def _normalise_ids(values: pd.Series) -> pd.Series:
    ids = values.astype("string").str.strip()
    ids = ids.str.replace(r"\.0$", "", regex=True)  # 17850.0 from spreadsheets
    return ids.mask(ids == "")


def to_canonical(raw: pd.DataFrame, file: str = "<data>", column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rename, check and type a raw table into the canonical schema (no rows are dropped here)."""
    if raw.shape[1] == 0 or (raw.shape[0] == 0 and raw.shape[1] <= 1):
        _fail(file, None, "the file has no columns or no data", None, [], "export the transactions again")
    df = _rename(raw, column_map or {}, file)
    _check_required(df, file)
    if len(df) == 0:
        _fail(file, None, "the file has a header but no transaction lines", 0, [], "export the transactions again")
    out = pd.DataFrame(index=df.index)
    out["InvoiceNo"] = df["InvoiceNo"].astype("string").str.strip() if "InvoiceNo" in df else pd.NA
    out["StockCode"] = df["StockCode"].astype("string").str.strip() if "StockCode" in df else pd.NA
    out["Description"] = df["Description"].astype("string").str.strip() if "Description" in df else pd.NA
    quantity = _parse_number(df["Quantity"], "Quantity", file) if "Quantity" in df else pd.Series(1.0, df.index)
    if "UnitPrice" in df:
        price = _parse_number(df["UnitPrice"], "UnitPrice", file)
    else:
        amount = _parse_number(df[AMOUNT_COLUMN], AMOUNT_COLUMN, file)
        price = amount / quantity.replace(0, np.nan)
        price = price.fillna(0.0)
    if quantity.isna().any():
        _fail(file, "Quantity", "missing quantities", int(quantity.isna().sum()), [], "fill them in")
    if price.isna().any():
        _fail(file, "UnitPrice", "missing prices", int(price.isna().sum()), [], "fill them in")
    out["Quantity"] = quantity
    out["InvoiceDate"] = _parse_dates(df["InvoiceDate"], file)
    out["UnitPrice"] = price
    out["CustomerID"] = _normalise_ids(df["CustomerID"])
    out["Country"] = df["Country"].astype("string").str.strip() if "Country" in df else pd.NA
    if out["CustomerID"].isna().all():
        _fail(file, "CustomerID", "no line has a customer id", len(out), [],
              "map the column that identifies customers with data.columns")
    if "InvoiceNo" not in df:
        # One order per customer and day when the export has no invoice numbers.
        out["InvoiceNo"] = (out["CustomerID"].fillna("guest") + "-" + out["InvoiceDate"].dt.strftime("%Y%m%d"))
    for col in ["InvoiceNo", "StockCode", "Description", "CustomerID", "Country"]:
        out[col] = out[col].astype("string")
    return out[CANONICAL_COLUMNS].reset_index(drop=True)


def load_transactions(path: str | Path, column_map: Mapping[str, str] | None = None,
                      sheet: str | int | None = None) -> pd.DataFrame:
    """Read ``path`` and return canonical transactions; raise :class:`DataValidationError` on bad input."""
    return to_canonical(read_table(path, sheet), file=str(path), column_map=column_map)


def available_columns(transactions: pd.DataFrame) -> dict[str, bool]:
    """Which optional columns carry information (not entirely missing) in this data."""
    return {c: bool(transactions[c].notna().any()) for c in OPTIONAL_COLUMNS}
