"""What the EDA report reads off the engine's aggregates: small findings with their definitions, once.

The aggregates themselves (monthly activity, orders by weekday and hour, countries, products, cohorts, order
histograms) are computed over the clean lines in the engine (:class:`retention.engine.aggregates.EdaAggregates`);
the functions here only read those small tables, so a finding a sentence states is defined (and tested) once:

* :func:`next_month_repeat`: the share of new customers who buy again the month after their first, weighted by
  cohort size (the rate of the customers) and unweighted (the plain mean of the cohorts' rates);
* :func:`large_orders_finding`: whether a few very large orders carry a large share of revenue (the pattern of
  wholesale buyers), so a report mentions wholesale only when the data shows it;
* :func:`big_spending_countries`: countries whose customers spend far more than the average customer;
* :func:`busiest_slot`, :func:`recent_returning_share`, :func:`largest_cut`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LARGE_ORDER_MULTIPLE", "LARGE_ORDER_REVENUE_SHARE", "BIG_SPENDER_MULTIPLE", "NextMonthRepeat",
           "LargeOrders", "next_month_repeat", "large_orders_finding", "big_spending_countries", "busiest_slot",
           "recent_returning_share", "largest_cut"]

LARGE_ORDER_MULTIPLE = 10.0
"""An order is *large* when it is worth at least this many times the median order."""

LARGE_ORDER_REVENUE_SHARE = 0.10
"""Large orders *carry the business* (wholesale-sized buying) when they bring at least this share of revenue."""

BIG_SPENDER_MULTIPLE = 3.0
"""A country's customers are *big spenders* when they spend at least this many times the average customer."""


@dataclass(frozen=True)
class NextMonthRepeat:
    """Share of new customers who buy again in the month after their first month.

    ``weighted``: repeat buyers over new customers, all cohorts pooled (each customer counts once; the rate a
    manager should quote). ``unweighted``: the plain mean of the cohorts' rates (a two-customer cohort counts
    as much as a two-thousand one). Only cohorts whose next month lies within the data count (``cohorts``
    of them, ``customers`` new customers); NaN when none does.
    """

    weighted: float
    unweighted: float
    cohorts: int
    customers: int

    @property
    def differ(self) -> bool:
        """Whether the two rates differ by at least one percentage point."""
        return bool(np.isfinite(self.weighted) and abs(self.weighted - self.unweighted) >= 0.01)


def next_month_repeat(cohorts: pd.DataFrame) -> NextMonthRepeat:
    """:class:`NextMonthRepeat` of the cohort table (``customers`` and the shares active at ages 0, 1, ...)."""
    if 1 not in cohorts.columns:
        return NextMonthRepeat(float("nan"), float("nan"), 0, 0)
    known = cohorts[cohorts[1].notna()]
    size = known["customers"].to_numpy(dtype=float)
    if not len(known) or size.sum() == 0:
        return NextMonthRepeat(float("nan"), float("nan"), 0, 0)
    rates = known[1].to_numpy(dtype=float)
    return NextMonthRepeat(weighted=float((rates * size).sum() / size.sum()), unweighted=float(rates.mean()),
                           cohorts=len(known), customers=int(size.sum()))


@dataclass(frozen=True)
class LargeOrders:
    """Orders worth at least :data:`LARGE_ORDER_MULTIPLE` times the median order (``threshold``)."""

    threshold: float
    orders: int
    order_share: float
    revenue_share: float

    @property
    def carry_the_business(self) -> bool:
        """A few very large orders bring a large share of revenue: the pattern of wholesale buyers."""
        return self.orders > 0 and self.revenue_share >= LARGE_ORDER_REVENUE_SHARE


def large_orders_finding(headline: dict[str, Any], large: dict[str, float]) -> LargeOrders:
    """:class:`LargeOrders` from the headline numbers and the engine's count of orders above the threshold
    (``large`` holds ``threshold``, ``orders`` and ``revenue``)."""
    orders, revenue = headline["orders"], headline["revenue"]
    return LargeOrders(threshold=float(large["threshold"]), orders=int(large["orders"]),
                       order_share=large["orders"] / orders if orders else 0.0,
                       revenue_share=large["revenue"] / revenue if revenue else 0.0)


def big_spending_countries(countries: pd.DataFrame, revenue: float, customers: int) -> pd.DataFrame:
    """The countries (not the pooled rest) whose customers spend at least :data:`BIG_SPENDER_MULTIPLE` times the
    average customer: ``country``, ``customers``, ``revenue_per_customer``, ``multiple``; largest multiple first."""
    average = revenue / customers if customers else float("nan")
    named = countries[countries["country"] != "All other countries"]
    per = named.assign(revenue_per_customer=named["revenue"] / named["customers"])
    per = per.assign(multiple=per["revenue_per_customer"] / average)
    big = per[per["multiple"] >= BIG_SPENDER_MULTIPLE]
    big = big.sort_values(["multiple", "country"], ascending=[False, True], kind="stable")
    return big[["country", "customers", "revenue_per_customer", "multiple"]].reset_index(drop=True)


def busiest_slot(weekday_hour: pd.DataFrame) -> tuple[str, int]:
    """The weekday and hour with the most orders (ties: the earliest in the week and day)."""
    stacked = weekday_hour.stack()
    weekday, hour = stacked.index[int(np.argmax(stacked.to_numpy()))]
    return str(weekday), int(hour)


def recent_returning_share(monthly: pd.DataFrame, months: int = 3) -> float:
    """Share of the active customers of the last ``months`` months who had bought before (customer-months)."""
    last = monthly.tail(months)
    active = last["active_customers"].sum()
    return float(last["returning_customers"].sum() / active) if active else float("nan")


def largest_cut(ledger: pd.DataFrame) -> pd.Series | None:
    """The ledger row of the reason that dropped the most lines (None when nothing was dropped)."""
    dropped = ledger[~ledger["reason"].isin(["rows_in", "rows_kept"])]
    dropped = dropped[dropped["rows"] > 0]
    if dropped.empty:
        return None
    return dropped.sort_values("rows", ascending=False, kind="stable").iloc[0]
