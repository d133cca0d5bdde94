"""Stage 01: what is in the log, what the cleaning removed, and how the business moves over time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from retention import eda
from retention.stages.context import Context

__all__ = ["EdaResult", "run"]


@dataclass(frozen=True)
class EdaResult:
    """Everything the EDA report shows (tables are tidy DataFrames, one chart or table each)."""

    info: dict[str, Any]
    currency: str
    headline: dict[str, Any]
    ledger: pd.DataFrame
    notes: list[str]
    monthly: pd.DataFrame
    weekday_hour: pd.DataFrame
    has_times: bool
    countries: pd.DataFrame | None
    products: pd.DataFrame | None
    order_values: pd.Series
    basket_lines: pd.Series | None
    cohorts: pd.DataFrame

    @property
    def kept_share(self) -> float:
        return self.info["rows_kept"] / self.info["rows_in"]

    @property
    def dropped(self) -> pd.DataFrame:
        """The ledger's dropped rows only (without the rows-in and rows-kept totals)."""
        return self.ledger[~self.ledger["reason"].isin(["rows_in", "rows_kept"])]


def run(ctx: Context) -> EdaResult:
    """Aggregate the clean lines for the EDA report."""
    info, tx = ctx.read("prepared.info"), ctx.read("prepared.transactions")
    has = info["available_columns"]
    top_n = ctx.params.eda.top_n
    orders = eda.orders(tx)
    return EdaResult(
        info=info, currency=ctx.currency, headline=eda.headline(tx), ledger=ctx.read("cleaning_ledger"),
        notes=list(info.get("notes", [])), monthly=eda.monthly_activity(tx),
        weekday_hour=eda.weekday_hour_orders(tx),
        has_times=not bool((tx["InvoiceDate"].dt.normalize() == tx["InvoiceDate"]).all()),
        countries=eda.top_countries(tx, top_n) if has["Country"] else None,
        products=eda.top_products(tx, top_n) if has["StockCode"] else None,
        order_values=orders["value"], basket_lines=orders["lines"] if has["StockCode"] else None,
        cohorts=eda.cohort_retention(tx),
    )
