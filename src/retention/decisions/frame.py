"""The per-customer decision frame: who is in the base, who is at risk, what is at stake.

:func:`decision_frame` joins the segment table (or any table with ``LastPurchase``), the churn table and the
CLV value table (C1 columns) into one row per customer with the vocabulary of
:mod:`retention.decisions.vocabulary`. :func:`segment_value_risk` gives the data of the value x risk chart and
:func:`lapsed_summary` the win-back numbers, kept apart from the base.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from retention.decisions.vocabulary import (
    AT_RISK,
    EXPECTED_LOSS,
    IN_BASE,
    LAST_PURCHASE,
    ORDER_VALUE,
    PROBA,
    REVENUE,
    SEGMENT,
    VALUE_AT_STAKE,
    offer_window_column,
)
from retention.roi._checks import examples, share, whole
from retention.segments import SEGMENT_ORDER

__all__ = ["last_purchases", "customer_base", "decision_frame", "segment_value_risk", "lapsed_summary"]

_OPTIONAL = ("Segment", "risk_band", "Monetary", "Country", "p_alive")


def last_purchases(transactions: pd.DataFrame, as_of: object) -> pd.Series:
    """Day of each customer's last purchase on or before ``as_of`` (customers who bought by then only).

    ``transactions`` has ``CustomerID`` and ``InvoiceDate``; the result is named ``LastPurchase``.
    """
    day = pd.to_datetime(transactions["InvoiceDate"]).dt.normalize()
    keep = day <= pd.Timestamp(as_of).normalize()
    last = day[keep].groupby(transactions.loc[keep, "CustomerID"]).max()
    return last.rename(LAST_PURCHASE).rename_axis("CustomerID")


def customer_base(last_purchase: pd.Series, as_of: object, window_days: int) -> pd.Series:
    """True for customers whose last purchase day lies in the ``window_days`` days ending on ``as_of``.

    The window is ``(as_of - window_days, as_of]`` in whole days, so ``window_days = 1`` means "bought on the
    as-of day". Purchases after ``as_of`` are an error (the table is not as of that date).
    """
    window_days = whole(window_days, "base_window_days", 1)
    as_of = pd.Timestamp(as_of).normalize()
    day = pd.to_datetime(last_purchase).dt.normalize()
    late = day > as_of
    if late.any():
        raise ValueError(f"{int(late.sum())} customer(s) have a last purchase after the as-of date {as_of.date()}: "
                         f"{examples(day.index[late])}; build the table as of that date.")
    return (day > as_of - pd.Timedelta(days=window_days)).rename(IN_BASE)


def _require(table: pd.DataFrame, columns: Iterable[str], name: str, hint: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {', '.join(map(repr, missing))} ({hint}); present: "
                         f"{', '.join(map(str, table.columns))}.")


def _aligned(table: pd.DataFrame, index: pd.Index, name: str) -> pd.DataFrame:
    missing = index.difference(table.index)
    if len(missing):
        raise ValueError(f"{name} has no row for {len(missing)} customer(s) of the customer table, e.g. "
                         f"{examples(missing)}; every customer needs one.")
    return table.reindex(index)


def decision_frame(customers: pd.DataFrame, churn: pd.DataFrame, values: pd.DataFrame, *, as_of: object,
                   base_window_days: int = 180, at_risk_threshold: float = 0.5, margin: float = 0.4,
                   offer_months: Iterable[int] = ()) -> pd.DataFrame:
    """One row per customer with base, risk and value, in the decision vocabulary.

    Parameters
    ----------
    customers : pandas.DataFrame
        Index CustomerID; ``LastPurchase`` (day of the last purchase up to ``as_of``), optionally ``Segment``,
        ``Monetary``, ``Country`` (e.g. the segments stage, or :func:`last_purchases` as a frame).
    churn : pandas.DataFrame
        Index CustomerID; ``churn_probability`` (and optionally ``risk_band``) for every customer.
    values : pandas.DataFrame
        Index CustomerID; ``expected_revenue_if_alive`` over the decision horizon, ``expected_order_value`` and
        ``expected_revenue_if_alive_<N>m`` for each ``offer_months`` (C1), optionally ``p_alive``.
    as_of : date-like
    base_window_days : int, default 180
    at_risk_threshold : float, default 0.5
    margin : float, default 0.4
        Gross margin share of revenue: value at stake = margin x expected revenue if alive.
    offer_months : iterable of int
        Offer windows to carry over for all-orders offers.

    Returns
    -------
    pandas.DataFrame
        ``LastPurchase``, ``in_base``, ``churn_probability``, ``at_risk`` (base and churn probability at or above
        the threshold), ``expected_revenue_if_alive``, ``value_at_stake``, ``expected_loss``,
        ``expected_order_value``, the offer-window columns and the optional columns present.
    """
    threshold, margin = share(at_risk_threshold, "at_risk_threshold"), share(margin, "margin")
    windows = [offer_window_column(m) for m in offer_months]
    _require(customers, [LAST_PURCHASE], "customers", "the segments stage has it")
    _require(churn, [PROBA], "churn", "the churn stage has it")
    _require(values, [REVENUE, ORDER_VALUE, *windows], "values", "the CLV value table, C1")
    index = customers.index
    churn, values = _aligned(churn, index, "churn"), _aligned(values, index, "values")
    p = pd.to_numeric(churn[PROBA], errors="coerce")
    bad = ~p.between(0.0, 1.0)
    if bad.any():
        raise ValueError(f"churn_probability must be between 0 and 1; {int(bad.sum())} are not: "
                         f"{examples(p.index[bad])}.")
    revenue = pd.to_numeric(values[REVENUE], errors="coerce")
    bad = ~(np.isfinite(revenue) & (revenue >= 0))
    if bad.any():
        raise ValueError(f"expected_revenue_if_alive must be finite and zero or more; {int(bad.sum())} are not: "
                         f"{examples(revenue.index[bad])}.")
    in_base = customer_base(customers[LAST_PURCHASE], as_of, base_window_days)
    frame = pd.DataFrame({LAST_PURCHASE: pd.to_datetime(customers[LAST_PURCHASE]), IN_BASE: in_base, PROBA: p,
                          AT_RISK: in_base & (p >= threshold), REVENUE: revenue,
                          VALUE_AT_STAKE: margin * revenue, EXPECTED_LOSS: p * margin * revenue,
                          ORDER_VALUE: values[ORDER_VALUE]}, index=index)
    for column in windows:
        frame[column] = values[column]
    for column in _OPTIONAL:
        for source in (customers, churn, values):
            if column in source.columns and column not in frame.columns:
                frame[column] = source[column].reindex(index)
    return frame.rename_axis("CustomerID")


def segment_value_risk(frame: pd.DataFrame) -> pd.DataFrame:
    """Where risk and value meet, per segment of the customer base (the value x risk chart).

    Returns
    -------
    pandas.DataFrame
        Index ``Segment`` (standard order, then others alphabetically); ``customers``, ``at_risk``,
        ``mean_churn_probability``, ``mean_value_at_stake``, ``value_at_stake`` and ``expected_loss`` (totals),
        over customers of the base only.
    """
    _require(frame, [SEGMENT, IN_BASE, PROBA, VALUE_AT_STAKE, EXPECTED_LOSS, AT_RISK], "frame", "decision_frame")
    base = frame[frame[IN_BASE]]
    table = base.groupby(SEGMENT, observed=True).agg(
        customers=(PROBA, "size"), at_risk=(AT_RISK, "sum"), mean_churn_probability=(PROBA, "mean"),
        mean_value_at_stake=(VALUE_AT_STAKE, "mean"), value_at_stake=(VALUE_AT_STAKE, "sum"),
        expected_loss=(EXPECTED_LOSS, "sum"))
    order = [s for s in SEGMENT_ORDER if s in table.index] + sorted(set(table.index) - set(SEGMENT_ORDER))
    return table.reindex(order).astype({"customers": int, "at_risk": int}).rename_axis(SEGMENT)


def lapsed_summary(frame: pd.DataFrame, as_of: object) -> dict[str, float]:
    """The win-back question's own numbers: lapsed customers, their share of everyone seen, the median days
    since their last purchase and the value at stake if they were still customers (not part of expected loss)."""
    _require(frame, [IN_BASE, LAST_PURCHASE, VALUE_AT_STAKE], "frame", "decision_frame")
    lapsed = frame[~frame[IN_BASE]]
    days = (pd.Timestamp(as_of).normalize() - lapsed[LAST_PURCHASE]).dt.days
    return {"lapsed": int(len(lapsed)), "share_of_customers": float(len(lapsed) / len(frame)) if len(frame) else 0.0,
            "median_days_since_purchase": float(days.median()) if len(days) else float("nan"),
            "value_at_stake_if_alive": float(lapsed[VALUE_AT_STAKE].sum())}
