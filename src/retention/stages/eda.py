"""Stage 01: what is in the log, what the cleaning removed, and how the business moves over time.

Every table is an aggregate the engine computes over the clean lines (:attr:`Context.log`); no line comes to
pandas. The findings the report states in words (next-month repeat rate, large orders, big-spending countries)
are read off those aggregates by :mod:`retention.eda`.
"""

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
    countries: pd.DataFrame | None
    products: pd.DataFrame | None
    order_values: pd.DataFrame
    basket_lines: pd.DataFrame | None
    cohorts: pd.DataFrame
    next_month: eda.NextMonthRepeat
    large_orders: eda.LargeOrders
    big_spenders: pd.DataFrame | None       # countries whose customers spend far more than average (None: no countries)
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)

    @property
    def kept_share(self) -> float:
        return self.info["rows_kept"] / self.info["rows_in"]

    @property
    def dropped(self) -> pd.DataFrame:
        """The ledger's dropped rows only (without the rows-in and rows-kept totals)."""
        return self.ledger[~self.ledger["reason"].isin(["rows_in", "rows_kept"])]

    @property
    def has_times(self) -> bool:
        """Whether the order times carry a time of day (not only dates)."""
        return self.headline["orders_with_time"] > 0

    @property
    def largest_cut(self) -> pd.Series | None:
        return eda.largest_cut(self.ledger)


def run(ctx: Context) -> EdaResult:
    """Aggregate the clean lines for the EDA report."""
    info = ctx.read("prepared.info")
    has = info["available_columns"]
    top_n = ctx.params.eda.top_n
    aggregates = ctx.log.eda
    headline = aggregates.headline()
    threshold = eda.LARGE_ORDER_MULTIPLE * headline["median_order_value"]
    large = {"threshold": threshold, **aggregates.large_orders(threshold)}
    countries = aggregates.top_countries(top_n) if has["Country"] else None
    cohorts = aggregates.cohort_retention()
    return EdaResult(
        info=info, currency=ctx.currency, headline=headline, ledger=ctx.read("cleaning_ledger"),
        notes=list(info.get("notes", [])), monthly=aggregates.monthly_activity(),
        weekday_hour=aggregates.weekday_hour_orders(), countries=countries,
        products=aggregates.top_products(top_n) if has["StockCode"] else None,
        order_values=aggregates.order_value_histogram(),
        basket_lines=aggregates.basket_size_histogram() if has["StockCode"] else None,
        cohorts=cohorts, next_month=eda.next_month_repeat(cohorts),
        large_orders=eda.large_orders_finding(headline, large),
        big_spenders=None if countries is None else eda.big_spending_countries(countries, headline["revenue"],
                                                                               headline["customers"]),
    )
