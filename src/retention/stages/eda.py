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
from retention.report.formatting import day, money, number, pct, plural
from retention.report.labels import reason_label
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

    @property
    def recent_months(self) -> int:
        """The months the returning share is measured over (the last three, or fewer in a short log)."""
        return min(3, len(self.monthly))

    @property
    def recent_returning_share(self) -> float:
        return eda.recent_returning_share(self.monthly, self.recent_months)

    @property
    def busiest(self) -> tuple[str, int]:
        """The weekday and hour with the most orders."""
        return eda.busiest_slot(self.weekday_hour)

    # -- the sentences the report states (their logic lives here, where a test reaches it) ----------------------
    @property
    def in_short(self) -> str:
        """The first screen's answer: who bought what, the retention lever, the peak, whether the data holds up."""
        h, cur, one_time, repeat, cut = self.headline, self.currency, self.headline["one_time_share"], \
            self.next_month, self.largest_cut
        text = (f"{plural(h['customers'], 'customer')} placed {plural(h['orders'], 'order')} worth "
                f"{money(h['revenue'], cur)} from {day(h['first_date'])} to {day(h['last_date'])}. ")
        if one_time >= 0.5:
            text += (f"Most customers ({pct(one_time)}) have bought only once so far: winning the second order is the "
                     f"main retention lever.")
        elif one_time > 0:
            text += f"{pct(one_time)} of customers have bought only once so far; the rest came back at least once."
        else:
            text += "Every customer has come back at least once."
        if repeat.cohorts:
            text += f" Of all new customers, {pct(repeat.weighted)} bought again in the month after their first order."
        text += (f" Revenue peaks in {h['peak_month'].strftime('%B %Y')} ({pct(h['peak_month_share'])} of the "
                 f"total). The data passed every check the reports need; cleaning kept {pct(self.kept_share)} of the "
                 f"{number(self.info['rows_in'])} lines")
        if cut is None:
            return text + " and left none out."
        return text + (f"; the largest cut is “{reason_label(cut['reason']).lower()}” "
                       f"({plural(int(cut['rows']), 'line')}).")

    @property
    def large_orders_sentence(self) -> str | None:
        """Whether a few very large orders carry the business (wholesale-sized), said only as the data shows it."""
        big, cur = self.large_orders, self.currency
        if big.carry_the_business:
            return (f"Orders worth {money(big.threshold, cur)} or more (ten times the median) are only "
                    f"{pct(big.order_share)} of orders but bring {pct(big.revenue_share)} of revenue: a few very "
                    f"large, wholesale-sized orders carry much of the business.")
        if big.orders:
            return (f"Orders worth ten times the median or more ({money(big.threshold, cur)}) are rare: "
                    f"{plural(big.orders, 'order')}, {pct(big.revenue_share)} of revenue. No small group of very "
                    f"large orders drives the business.")
        return None

    @property
    def big_spenders_sentence(self) -> str | None:
        """Countries whose customers spend far more than average (a wholesale pattern); None when there are none."""
        if self.big_spenders is None or self.big_spenders.empty:
            return None
        big, others = self.big_spenders.iloc[0], len(self.big_spenders) - 1
        return (f"Customers in {big['country']} spend {big['multiple']:.0f} times as much as the average customer "
                f"({money(big['revenue_per_customer'], self.currency)} each, {plural(big['customers'], 'customer')})"
                + (f", and so do those of {plural(others, 'other country', 'other countries')}" if others else "")
                + ": a pattern of wholesale buyers (shops that resell), who need a different retention offer.")

    @property
    def repeat_note(self) -> str:
        """How the next-month repeat rate is averaged (weighted first; the plain mean when it differs)."""
        repeat = self.next_month
        note = (f"Weighted by cohort size: {plural(repeat.customers, 'new customer')} of "
                f"{plural(repeat.cohorts, 'cohort')} pooled, each counting once.")
        if repeat.differ:
            note += (f" The plain average of the cohorts' rates is {pct(repeat.unweighted)}: there a small cohort "
                     f"counts as much as a large one.")
        return note


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
