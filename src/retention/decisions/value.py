"""The value columns a decision needs, taken from the chosen CLV forecast of :mod:`retention.clv` (contract C1).

``expected_revenue_if_alive`` (over the decision horizon) and the per-customer order value come from
:func:`retention.clv.fit_customer_values`, which computes the value of a customer *known to be alive* from the
posterior parameters (never by dividing by a small P(alive)) on the forecast's own clock (seasonal or not).
This module adds only what the offer cost models need on top: the expected revenue of a customer if alive over
an all-orders offer window of ``N`` months (``expected_revenue_if_alive_<N>m``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from retention.clv import DAYS_PER_MONTH, CustomerValues, PurchaseDays, fit_customer_values
from retention.roi.columns import ORDER_VALUE, REVENUE, offer_window_column

__all__ = ["offer_window_values", "value_table_as_of"]


def offer_window_values(fitted: CustomerValues, offer_months: Iterable[int]) -> pd.DataFrame:
    """``expected_revenue_if_alive_<N>m`` for each all-orders offer window ``N`` (months), per customer."""
    order = fitted.values[ORDER_VALUE]
    columns = {offer_window_column(m): fitted.forecast.expected_purchases_if_alive(round(m * DAYS_PER_MONTH)) * order
               for m in offer_months}
    return pd.DataFrame(columns, index=fitted.values.index)


def value_table_as_of(log: PurchaseDays, as_of: object, *, time_unit: str = "W", penalizer: float = 0.0,
                      horizon_months: float = 12, offer_months: Iterable[int] = (), **choice: Any) -> pd.DataFrame:
    """Fit the CLV forecast on the history up to ``as_of`` (e.g. one churn horizon earlier, for the KPIs'
    previous period) and return the columns a decision frame reads. ``log`` is the purchase days
    (:meth:`retention.clv.PurchaseDays.from_grain` of the engine's :meth:`~retention.engine.Session.purchase_days`).

    ``choice`` passes ``model=``/``seasonal=`` (and the backtest settings) on to
    :func:`retention.clv.fit_customer_values`; no parameter draws are made.
    """
    fitted = fit_customer_values(log, as_of, unit=time_unit, penalizer=penalizer,
                                 decision_horizon_months=int(horizon_months), uncertainty_draws=0, **choice)
    table = fitted.values[["expected_purchases_if_alive", REVENUE, ORDER_VALUE]]
    return table.join(offer_window_values(fitted, offer_months))
