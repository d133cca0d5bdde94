"""Stage 01: what is in the log, what the cleaning removed, and how the business moves over time.

Every table is an aggregate the engine computes over the clean lines (:attr:`Context.log`); no line comes to
pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

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
    countries: pd.DataFrame | None
    products: pd.DataFrame | None
    order_values: pd.DataFrame
    basket_lines: pd.DataFrame | None
    cohorts: pd.DataFrame
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)

    @property
    def kept_share(self) -> float:
        return self.info["rows_kept"] / self.info["rows_in"]

    @property
    def dropped(self) -> pd.DataFrame:
        """The ledger's dropped rows only (without the rows-in and rows-kept totals)."""
        return self.ledger[~self.ledger["reason"].isin(["rows_in", "rows_kept"])]


def run(ctx: Context) -> EdaResult:
    """Aggregate the clean lines for the EDA report."""
    info = ctx.read("prepared.info")
    has = info["available_columns"]
    top_n = ctx.params.eda.top_n
    eda = ctx.log.eda
    return EdaResult(
        info=info, currency=ctx.currency, headline=eda.headline(), ledger=ctx.read("cleaning_ledger"),
        notes=list(info.get("notes", [])), monthly=eda.monthly_activity(), weekday_hour=eda.weekday_hour_orders(),
        countries=eda.top_countries(top_n) if has["Country"] else None,
        products=eda.top_products(top_n) if has["StockCode"] else None,
        order_values=eda.order_value_histogram(),
        basket_lines=eda.basket_size_histogram() if has["StockCode"] else None,
        cohorts=eda.cohort_retention(),
    )
