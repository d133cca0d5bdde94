"""BTYD summaries from purchase days: :func:`retention.clv.rfm_summary` and its calibration/holdout split.

Fader, Hardie & Lee (2005) conventions: a purchase is a customer's calendar day (its value the day's
kept revenue); the clock starts at the first purchase day, which is not counted; ``frequency`` counts
repeat purchase days, ``recency`` and ``T`` are in days or weeks (days / 7), ``monetary_value`` is the
mean value of the repeat days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention.engine.sql import arg_min, exact_sum, ibis_module, safe_div

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["DAYS_PER_UNIT", "calibration_holdout_expr", "finish_purchase_days", "finish_summary", "purchase_days_expr",
           "rfm_summary_expr"]

DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "W": 7.0}
SUMMARY_COLUMNS = ("frequency", "recency", "T", "monetary_value")
HOLDOUT_COLUMNS = ("frequency_holdout", "monetary_value_holdout", "duration_holdout")


def _days_per_unit(unit: str) -> float:
    if unit not in DAYS_PER_UNIT:
        raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}")
    return DAYS_PER_UNIT[unit]


def _window(days: ibis.Table, start_day: int | None, cutoff_day: int) -> ibis.Table:
    keep = days.day <= cutoff_day
    if start_day is not None:
        keep &= days.day >= start_day
    return days.filter(keep)


def rfm_summary_expr(days: ibis.Table, cutoff_day: int, unit: str, dialect: str,
                     start_day: int | None = None) -> ibis.Table:
    """``CustomerID``, frequency, recency, T, monetary_value from the purchase days in ``[start, cutoff]``."""
    ibis = ibis_module()
    per_unit = _days_per_unit(unit)
    t = _window(days, start_day, cutoff_day)
    per = t.group_by("CustomerID").aggregate(
        first_day=t.day.min(), last_day=t.day.max(), n_days=t.count(), total=exact_sum(t.value),
        first_value=arg_min(t.value, t.day, dialect),
    )
    frequency = (per.n_days - 1).cast("int64")
    return per.select(
        CustomerID=per.CustomerID,
        frequency=frequency,
        recency=(per.last_day - per.first_day).cast("float64") / per_unit,
        T=(cutoff_day - per.first_day).cast("float64") / per_unit,
        monetary_value=ibis.ifelse(frequency > 0, safe_div(per.total - per.first_value, frequency), 0.0),
    )


def calibration_holdout_expr(days: ibis.Table, calibration_day: int, holdout_day: int, unit: str, dialect: str,
                             start_day: int | None = None) -> ibis.Table:
    """The calibration summary plus ``frequency_holdout`` and ``monetary_value_holdout`` per customer.

    Holdout purchase days are the days ``calibration_day + 1 .. holdout_day``; customers are those of
    the calibration summary (first purchase on or before ``calibration_day``).
    """
    ibis = ibis_module()
    summary = rfm_summary_expr(days, calibration_day, unit, dialect, start_day)
    later = days.filter((days.day > calibration_day) & (days.day <= holdout_day))
    holdout = later.group_by("CustomerID").aggregate(n_holdout=later.count(), total_holdout=exact_sum(later.value)) \
        .rename(CustomerID_h="CustomerID")
    joined = summary.left_join(holdout, summary.CustomerID == holdout.CustomerID_h)
    n = joined.n_holdout.fill_null(0).cast("int64")
    return joined.select(
        "CustomerID", *SUMMARY_COLUMNS,
        frequency_holdout=n,
        monetary_value_holdout=ibis.ifelse(n > 0, safe_div(joined.total_holdout, n), 0.0),
    )


def purchase_days_expr(days: ibis.Table, start_day: int | None = None, end_day: int | None = None) -> ibis.Table:
    """``CustomerID``, ``day``, ``value``: one row per customer and purchase day in ``[start_day, end_day]``.

    The purchase-day grain every BTYD model counts in (a customer's calendar day with kept revenue is one
    purchase, its value the day's revenue): what :class:`retention.clv.PurchaseDays` holds, so the models,
    their backtests at any cutoffs, the seasonal index (daily repeat purchases) and the cohort curves work
    from it without the lines.
    """
    keep = days
    if start_day is not None:
        keep = keep.filter(keep.day >= start_day)
    if end_day is not None:
        keep = keep.filter(keep.day <= end_day)
    return keep.select("CustomerID", day=keep.day.cast("int64"), value=keep.value.cast("float64"))


def finish_purchase_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Engine rows -> ``CustomerID`` (string), ``day`` (int64 day number), ``value`` (float), sorted by customer
    then day, on a fresh index (the engines return rows in no particular order)."""
    out = pd.DataFrame({"CustomerID": frame["CustomerID"].astype("string"),
                        "day": frame["day"].astype(np.int64), "value": frame["value"].astype(float)})
    return out.sort_values(["CustomerID", "day"], kind="stable").reset_index(drop=True)


def finish_summary(frame: pd.DataFrame, *, unit: str, holdout_days: int | None = None) -> pd.DataFrame:
    """Engine rows -> the layout of :func:`retention.clv.rfm_summary` (index CustomerID, sorted).

    With ``holdout_days`` the holdout columns of :func:`retention.clv.calibration_holdout_summary` follow.
    """
    out = frame.set_index(frame["CustomerID"].astype("string"))
    out.index.name = "CustomerID"
    columns = list(SUMMARY_COLUMNS) + ([] if holdout_days is None else list(HOLDOUT_COLUMNS[:2]))
    out = out[columns].copy()
    out["frequency"] = out["frequency"].astype(np.int64)
    for column in ("recency", "T", "monetary_value"):
        out[column] = out[column].astype(float)
    if holdout_days is not None:
        out["frequency_holdout"] = out["frequency_holdout"].astype(np.int64)
        out["monetary_value_holdout"] = out["monetary_value_holdout"].astype(float)
        out["duration_holdout"] = holdout_days / _days_per_unit(unit)
    return out.sort_index()
