"""Customer features as of a cutoff date: what each column means, once.

The features themselves (recency, frequency, spend, tenure, rhythm, returns and trend per customer) are
computed over the clean lines in the engine (:mod:`retention.engine.features`, via
:meth:`retention.engine.Session.customer_features_at`); this module holds their names, their meaning and
the conventions, which the engine, the configuration and the reports import.

Time conventions
----------------
* The cutoff is a calendar day and is inclusive: a line counts when ``InvoiceDate`` is before the end
  of that day (``cutoff day + 1 day``, exclusive). A time of day on the cutoff is ignored.
* "The last N days" are the N calendar days ending with the cutoff day, i.e. lines at or after
  ``end of cutoff day - N days``. ``window_days`` and the ``_90d`` features use this rule.
* Day counts (Recency, Tenure, PurchaseVelocity) are whole calendar days between purchase *days*
  (the time of day is dropped), so two orders on one day are one order day.

Every column, with its unit, is described once in :data:`FEATURE_DESCRIPTIONS`.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FEATURE_DESCRIPTIONS", "FEATURE_COLUMNS", "RECENT_DAYS", "as_day"]

RECENT_DAYS = 90
"""Length in days of the recent-activity window behind the ``_90d`` features and the trend."""

FEATURE_DESCRIPTIONS: dict[str, str] = {
    "Recency": "Days from the customer's last purchase day to the cutoff day (0 = bought on the cutoff day).",
    "Frequency": "Number of distinct invoices (orders) up to the cutoff.",
    "Monetary": "Net spend in currency units: purchases minus returns up to the cutoff, floored at 0.",
    "Tenure": "Days from the customer's first purchase day to the cutoff day.",
    "PurchaseVelocity": (
        "Mean days between consecutive distinct order days, (last - first order day) / (order days - 1). "
        "For customers with a single order day it is max(Tenure, 1): the gap to their next order is at "
        "least that long (a lower bound, not a measured gap)."
    ),
    "AvgOrderValue": "Gross purchase value per invoice in currency units, before returns.",
    "ReturnRate": (
        "Returned value / gross purchased value in the same period, between 0 and 1 (0 when no returns; "
        "capped at 1 when the returns reverse purchases made before the period)."
    ),
    "UniqueProducts": "Number of distinct StockCodes bought; NaN when the data has no StockCode.",
    "PeakSeasonShare": "Share (0 to 1) of gross purchase value bought in the peak months.",
    "PeakSeason": "True when PeakSeasonShare is at least 0.5: a mainly seasonal buyer.",
    f"Frequency_{RECENT_DAYS}d": f"Distinct invoices in the last {RECENT_DAYS} days up to the cutoff day.",
    f"Monetary_{RECENT_DAYS}d": (
        f"Net spend in currency units in the last {RECENT_DAYS} days (purchases minus returns, floored at 0)."
    ),
    "OrdersPerMonthRecentVsOverall": (
        f"Order-rate trend: invoices per 30 days in the last {RECENT_DAYS} days divided by invoices per "
        f"30 days over the customer's whole history (Tenure + 1 days). The recent window is shortened to "
        f"the history for customers younger than {RECENT_DAYS} days, so they score 1. 0 = no order in the "
        f"last {RECENT_DAYS} days, below 1 = slowing down, 1 = steady, above 1 = speeding up."
    ),
    "Country": "Country of most of the customer's invoices (ties: alphabetical); missing if unknown.",
    "FirstPurchase": "Day (midnight timestamp) of the customer's first purchase.",
    "LastPurchase": "Day (midnight timestamp) of the customer's last purchase on or before the cutoff.",
}
"""Meaning and unit of every feature column (the engine's customer features)."""

FEATURE_COLUMNS: tuple[str, ...] = tuple(FEATURE_DESCRIPTIONS)
"""The feature columns, in order."""


def as_day(value: object, name: str) -> pd.Timestamp:
    """``value`` as a :class:`pandas.Timestamp`, or a ValueError naming ``name`` when it is not a date."""
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} {value!r} is not a date: {exc}") from None
    if pd.isna(day):
        raise ValueError(f"{name} must be a date, not missing.")
    return day
