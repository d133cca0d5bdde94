"""The cleaning rules on a small log held in pandas: one call to the engine, which defines the rules.

The rules, their order and the ledger are defined once, in :mod:`retention.engine.cleaning` (they run in
DuckDB or Spark, whatever the size of the log). :func:`clean_transactions` runs them on a frame of canonical
lines in memory (DuckDB reads it where it is) and returns the kept lines, the returns and the ledger as
pandas frames: a convenience for tests, examples and small logs. The report series never brings lines to
pandas: ``retention prepare`` and the stages work on the engine session (:func:`retention.engine.open_log`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from retention.engine.cleaning import LEDGER_REASONS, LOAD_RULES, RULES

__all__ = ["LOAD_RULES", "RULES", "LEDGER_REASONS", "CleaningResult", "clean_transactions"]


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


def clean_transactions(transactions: pd.DataFrame, *, non_product_codes: Sequence[str] = (),
                       max_quantity: float = 10_000, max_unit_price: float = 5_000.0,
                       end_date: dt.date | pd.Timestamp | None = None,
                       pre_dropped: Mapping[str, int] | None = None,
                       detect_duplicates: bool = True) -> CleaningResult:
    """Apply the cleaning rules (:data:`RULES`, in the engine) to canonical lines in memory.

    ``end_date`` defaults to the last date in the data; lines after that day are dropped and counted.
    ``pre_dropped`` counts lines the loader removed (reasons of :data:`LOAD_RULES`). With
    ``detect_duplicates=False`` identical lines are all kept: a file without invoice numbers and product
    codes cannot tell a repeated line from a second real purchase. The kept lines and the returns come
    sorted by time, invoice and product (:meth:`retention.engine.Session.write_clean`).
    """
    from retention.engine import EngineConfig, NothingKept, open_log

    config = EngineConfig(non_product_codes=tuple(non_product_codes), max_quantity=max_quantity,
                          max_unit_price=max_unit_price, end_date=end_date)
    try:
        with open_log(transactions, config=config, layout="canonical", pre_dropped=pre_dropped,
                      detect_duplicates=detect_duplicates) as log:
            kept, returns = log.clean_frames()
            return CleaningResult(transactions=kept, returns=returns, ledger=log.ledger, rows_in=log.rows_in,
                                  end_date=log.end_date)
    except NothingKept as nothing:
        empty = transactions.iloc[:0].assign(Revenue=pd.Series(dtype=float))
        return CleaningResult(transactions=empty, returns=empty, ledger=nothing.ledger,
                              rows_in=int(nothing.ledger["rows"].iloc[0]), end_date=pd.NaT)
