"""Cleaning rules with a ledger: every dropped line is counted under exactly one reason.

The rules run in a fixed order; a line is charged to the first rule it breaks, so the ledger adds up:
rows in = rows kept + the sum of rows dropped per reason (asserted). Revenue (Quantity x UnitPrice)
is counted per reason too, so the report shows what each rule removed in money, not only in lines.
Cancellation lines are not purchases, but they are not thrown away either: the identified, product
ones are kept aside as ``returns`` so customer features can net them out. A cancellation takes units back:
an invoice starting with 'C' whose quantity is positive is an order (some shops number every invoice with
a C), and ``prepare`` notes how many there are.

Lines the loader already removed because they are not transactions at all (blank lines, copies of the
header line, lines dated far before or after the rest of the log) come in as ``pre_dropped`` counts and
appear first in the ledger (:data:`LOAD_RULES`), so ``rows_in`` is every line of the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["LOAD_RULES", "RULES", "LEDGER_REASONS", "CleaningResult", "clean_transactions"]

# Lines the loader drops before typing (counted by retention.data.load), in ledger order.
LOAD_RULES: list[tuple[str, str]] = [
    ("blank_line", "an empty line (every field blank)"),
    ("repeated_header", "a copy of the header line inside the file (exports concatenated)"),
    ("far_past_date", "dated far before the rest of the log (a date entry error such as 1970-01-01)"),
    ("far_future_date", "dated far after the rest of the log (e.g. 2031 in a 2011 log); it would move the "
                        "analysis date"),
]

# (reason, what the rule means) in the order the rules are applied.
RULES: list[tuple[str, str]] = [
    ("missing_customer_id", "no CustomerID: a guest order that cannot be tied to a customer"),
    ("missing_date", "no InvoiceDate: the line cannot be placed in time"),
    ("cancellation", "InvoiceNo starts with 'C' and the quantity is not positive: a cancellation or return, not a "
                     "purchase"),
    ("non_positive_quantity", "zero or negative quantity outside a cancellation invoice"),
    ("non_product_code", "postage, fees, bank charges, manual adjustments: not a product"),
    ("non_positive_price", "zero or negative unit price (free samples, bad-debt adjustments)"),
    ("after_end_date", "dated after the analysis end date"),
    ("outlier", "quantity or unit price above the outlier limits in params"),
    ("duplicate_line", "an exact repeat of an earlier line (same invoice, product, quantity, price, time)"),
]

# Every reason a line can be dropped for, in ledger order.
LEDGER_REASONS: list[tuple[str, str]] = LOAD_RULES + RULES


@dataclass(frozen=True)
class CleaningResult:
    """Kept purchase lines (with ``Revenue``), the returns kept aside, and the ledger."""

    transactions: pd.DataFrame
    returns: pd.DataFrame
    ledger: pd.DataFrame
    rows_in: int
    end_date: pd.Timestamp

    @property
    def rows_kept(self) -> int:
        return len(self.transactions)


def _flags(df: pd.DataFrame, non_product_codes: Sequence[str], end: pd.Timestamp, max_quantity: float,
           max_unit_price: float) -> dict[str, pd.Series]:
    invoice = df["InvoiceNo"].fillna("").str.upper()
    codes = {c.upper() for c in non_product_codes}
    stock = df["StockCode"].fillna("").str.upper()
    return {
        "missing_customer_id": df["CustomerID"].isna(),
        "missing_date": df["InvoiceDate"].isna(),
        # A 'C' invoice that adds units is an order (some shops number every invoice with a C): the sign of the
        # quantity, not the prefix alone, makes a cancellation.
        "cancellation": invoice.str.startswith("C") & (df["Quantity"] <= 0),
        "non_positive_quantity": df["Quantity"] <= 0,
        "non_product_code": stock.isin(codes),
        "non_positive_price": df["UnitPrice"] <= 0,
        "after_end_date": df["InvoiceDate"] >= end + pd.Timedelta(days=1),
        "outlier": (df["Quantity"].abs() > max_quantity) | (df["UnitPrice"] > max_unit_price),
    }


def _reasons(df: pd.DataFrame, flags: dict[str, pd.Series], detect_duplicates: bool) -> pd.Series:
    """The first rule each line breaks (NA: kept)."""
    reason = pd.Series(pd.NA, index=df.index, dtype="string")
    for name, _ in RULES:
        if name == "duplicate_line":
            # A repeat counts only among lines still kept, so the line it repeats stays in.
            remaining = df[reason.isna()]
            hit = pd.Series(False, index=df.index)
            if detect_duplicates:
                hit[remaining.index[remaining.duplicated(keep="first")]] = True
        else:
            hit = flags[name] & reason.isna()
        reason[hit] = name
    return reason


def _ledger(reason: pd.Series, revenue: pd.Series, pre_dropped: Mapping[str, int]) -> pd.DataFrame:
    n_in = len(reason) + sum(pre_dropped.values())
    kept = reason.isna()
    rows = [{"reason": name, "rule": text, "rows": int(pre_dropped.get(name, 0)), "revenue": 0.0}
            for name, text in LOAD_RULES]
    rows += [{"reason": name, "rule": text, "rows": int((reason == name).sum()),
              "revenue": float(revenue[reason == name].sum())} for name, text in RULES]
    rows = [{"reason": "rows_in", "rule": "lines read from the file", "rows": n_in, "revenue": float(revenue.sum())},
            *rows,
            {"reason": "rows_kept", "rule": "purchase lines used by every report", "rows": int(kept.sum()),
             "revenue": float(revenue[kept].sum())}]
    ledger = pd.DataFrame(rows)
    ledger.insert(0, "step", range(len(ledger)))
    ledger["share_of_rows"] = ledger["rows"] / n_in if n_in else 0.0
    dropped = int(ledger["rows"].iloc[1:-1].sum())
    assert n_in == int(kept.sum()) + dropped, "cleaning ledger does not add up"
    return ledger


def clean_transactions(transactions: pd.DataFrame, *, non_product_codes: Sequence[str] = (),
                       max_quantity: float = 10_000, max_unit_price: float = 5_000.0,
                       end_date: dt.date | pd.Timestamp | None = None,
                       pre_dropped: Mapping[str, int] | None = None,
                       detect_duplicates: bool = True) -> CleaningResult:
    """Apply :data:`RULES` in order to canonical transactions and return what was kept and why not.

    ``end_date`` defaults to the last date in the data; lines after that day are dropped and counted.
    ``pre_dropped`` counts lines the loader removed (reasons of :data:`LOAD_RULES`). With
    ``detect_duplicates=False`` identical lines are all kept: a file without invoice numbers and product
    codes cannot tell a repeated line from a second real purchase.
    """
    pre_dropped = dict(pre_dropped or {})
    unknown = set(pre_dropped) - {name for name, _ in LOAD_RULES}
    if unknown:
        raise ValueError(f"pre_dropped has unknown reasons {sorted(unknown)}; known: {[n for n, _ in LOAD_RULES]}")
    df = transactions.reset_index(drop=True)
    revenue = (df["Quantity"] * df["UnitPrice"]).astype(float)
    last = df["InvoiceDate"].max()
    end = pd.Timestamp(end_date) if end_date is not None else (last.normalize() if pd.notna(last) else pd.NaT)
    flags = _flags(df, non_product_codes, end, max_quantity, max_unit_price)
    reason = _reasons(df, flags, detect_duplicates)
    kept = reason.isna()
    ledger = _ledger(reason, revenue, pre_dropped)

    clean = df[kept].assign(Revenue=revenue[kept]).reset_index(drop=True)
    clean["Quantity"] = clean["Quantity"].astype(np.int64) if (clean["Quantity"] % 1 == 0).all() else clean[
        "Quantity"]
    returns_mask = reason.isin(["cancellation", "non_positive_quantity"]) & ~(
        flags["missing_customer_id"] | flags["missing_date"] | flags["non_product_code"]
        | flags["non_positive_price"] | flags["after_end_date"] | flags["outlier"])
    returns = df[returns_mask].assign(Revenue=revenue[returns_mask]).reset_index(drop=True)
    return CleaningResult(transactions=clean, returns=returns, ledger=ledger, rows_in=int(ledger["rows"].iloc[0]),
                          end_date=end)
