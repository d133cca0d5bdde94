"""Purchase days -> per-customer summaries ``(x, t_x, T, m_x)``, the inputs of every BTYD model.

Conventions (Fader, Hardie & Lee 2005 [1]_): the clock starts at each customer's *first* purchase,
which is not counted; only *repeat* purchases enter ``frequency``. A purchase is a calendar day: all
lines of one customer on one day form one purchase whose value is the day's sum (this reproduces the
published CDNOW summaries, where 146 same-day transaction pairs occur in the calibration period).

The lines are reduced to purchase days once, in the engine (:meth:`retention.engine.Session.purchase_days`);
:class:`PurchaseDays` holds that grain as sorted (customer, purchase day) arrays
(:meth:`PurchaseDays.from_grain`). The summaries at any cutoff, the holdout counts and the daily
repeat-purchase counts behind the seasonal index are then cheap masks of those arrays, which is what the
rolling-origin backtest needs. The lines never come to pandas.

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your Customers" the Easy Way:
   An Alternative to the Pareto/NBD Model. *Marketing Science* 24(2), 275-284.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["DAYS_PER_MONTH", "PurchaseDays", "TimeUnit", "calibration_holdout_summary", "days_per_unit",
           "rfm_summary"]

TimeUnit = Literal["D", "W"]
DateLike = str | pd.Timestamp | np.datetime64 | dt.date

#: Average calendar month in days (365.25 / 12); in weeks this is 30.4375 / 7 = 4.348.
DAYS_PER_MONTH: float = 30.4375
_DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "W": 7.0}
SUMMARY_COLUMNS = ["frequency", "recency", "T", "monetary_value"]


def days_per_unit(unit: str) -> float:
    """Days in one model time unit: 1 for ``"D"``, 7 for ``"W"`` (a ValueError for anything else)."""
    if unit not in _DAYS_PER_UNIT:
        raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}")
    return _DAYS_PER_UNIT[unit]


def _day_number(when: DateLike, name: str) -> int:
    """Calendar day number (days since 1970-01-01) of a date argument (naive, like the engine's day numbers)."""
    ts = pd.Timestamp(when)
    if pd.isna(ts):
        raise ValueError(f"{name} must be a date, got {when!r}")
    if ts.tzinfo is not None:
        raise ValueError(f"{name} is timezone-aware ({ts.tzinfo}) but the purchase days are naive day numbers")
    return int(ts.to_datetime64().astype("datetime64[D]").astype(np.int64))


@dataclass(frozen=True)
class PurchaseDays:
    """A purchase-day grain: one row per (customer, purchase day), sorted by customer then day.

    Attributes
    ----------
    customers : Index
        Distinct customer ids, sorted; ``code`` indexes into it.
    code, day, value : ndarray
        Per purchase day: customer code, day number (days since 1970-01-01, the wall-clock day of the lines)
        and the day's summed value.
    """

    customers: pd.Index
    code: NDArray[np.int64]
    day: NDArray[np.int64]
    value: NDArray[np.float64]

    @classmethod
    def from_grain(cls, grain: pd.DataFrame, *, customer_col: str = "CustomerID", day_col: str = "day",
                   value_col: str = "value") -> PurchaseDays:
        """From a purchase-day grain: one row per customer and calendar day, ``day`` a day number (days since
        1970-01-01) and ``value`` the day's revenue, as :meth:`retention.engine.Session.purchase_days` returns it.

        Rows of the same customer and day are summed (a grain that is already one row each stays as it is).
        """
        if not isinstance(grain, pd.DataFrame):
            raise TypeError(f"grain must be a pandas DataFrame, got {type(grain).__name__}")
        missing = [c for c in (customer_col, day_col, value_col) if c not in grain.columns]
        if missing:
            raise ValueError(f"the purchase-day grain is missing column(s) {missing}; columns present: "
                             f"{list(grain.columns)}")
        if grain[customer_col].isna().any():
            raise ValueError(f"column {customer_col!r} has {int(grain[customer_col].isna().sum())} missing id(s)")
        days = grain[day_col].to_numpy()
        if not np.issubdtype(days.dtype, np.integer):
            raise ValueError(f"column {day_col!r} must hold whole day numbers, got {grain[day_col].dtype}")
        values = grain[value_col].to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isfinite(values).all():
            raise ValueError(f"column {value_col!r} has {int((~np.isfinite(values)).sum())} missing/infinite value(s)")
        codes, uniques = pd.factorize(grain[customer_col], sort=True)
        return cls._from_arrays(pd.Index(uniques, name=customer_col), codes, days.astype(np.int64), values)

    @classmethod
    def _from_arrays(cls, customers: pd.Index, codes: NDArray[Any], days: NDArray[np.int64],
                     values: NDArray[np.float64]) -> PurchaseDays:
        if days.size == 0:
            empty = np.array([], dtype=np.int64)
            return cls(customers[:0], empty, empty, np.array([]))
        d0 = days.min()
        span = np.int64(days.max() - d0 + 1)
        key = codes.astype(np.int64) * span + (days - d0)
        order = np.argsort(key, kind="stable")
        key = key[order]
        start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        return cls(customers, key[start] // span, key[start] % span + d0,
                   np.add.reduceat(values[order], start))

    def day_of(self, when: DateLike, name: str = "date") -> int:
        """Day number of ``when`` (days since 1970-01-01)."""
        return _day_number(when, name)

    @property
    def last_day(self) -> int:
        """Day number of the last purchase day in the log."""
        if self.day.size == 0:
            raise ValueError("no identified transactions to summarise")
        return int(self.day.max())

    def window(self, start_day: int | None, end_day: int) -> PurchaseDays:
        """The purchase days with ``start_day <= day <= end_day`` (still sorted)."""
        mask = self.day <= end_day
        if start_day is not None:
            mask &= self.day >= start_day
        return PurchaseDays(self.customers, self.code[mask], self.day[mask], self.value[mask])

    def first_of_customer(self) -> NDArray[np.bool_]:
        """True for each customer's first purchase day in this (windowed) set."""
        return np.r_[True, self.code[1:] != self.code[:-1]] if self.code.size else np.zeros(0, dtype=bool)

    def per_customer(self) -> pd.DataFrame:
        """``first_day``, ``last_day``, ``n_days``, ``total`` and ``first_value`` per customer seen here."""
        first = np.flatnonzero(self.first_of_customer())
        end = np.r_[first[1:], self.code.size].astype(np.int64) if first.size else first
        index = pd.Index(self.customers.take(self.code[first]), name=self.customers.name)
        total = np.add.reduceat(self.value, first) if first.size else np.array([])
        return pd.DataFrame({"first_day": self.day[first], "last_day": self.day[end - 1], "n_days": end - first,
                             "total": total, "first_value": self.value[first]}, index=index)

    def repeat_counts(self, start_day: int, end_day: int) -> NDArray[np.float64]:
        """Number of repeat purchase days on each day ``start_day..end_day`` (first purchases excluded)."""
        repeat = self.day[~self.first_of_customer()]
        return np.bincount(repeat - start_day, minlength=end_day - start_day + 1).astype(np.float64)

    def summary(self, cutoff_day: int, start_day: int | None = None, unit: str = "D",
                clock: Callable[[NDArray[np.int64]], NDArray[np.float64]] | None = None) -> pd.DataFrame:
        """The :func:`rfm_summary` frame of the purchase days in ``[start_day, cutoff_day]``.

        ``clock`` maps day numbers to (operational) time in days, e.g. a seasonal clock; by default
        calendar days. ``recency`` and ``T`` are differences of it, in ``unit``.
        """
        dpu = days_per_unit(unit)
        agg = self.window(start_day, cutoff_day).per_customer()
        frequency = agg["n_days"].to_numpy(dtype=np.int64) - 1
        repeat_total = agg["total"].to_numpy() - agg["first_value"].to_numpy()
        monetary = np.divide(repeat_total, frequency, out=np.zeros(len(agg)), where=frequency > 0)
        first, last = agg["first_day"].to_numpy(), agg["last_day"].to_numpy()
        if clock is None:
            recency, age = last - first, cutoff_day - first
        else:
            at_first = clock(first)
            recency = clock(last) - at_first
            age = clock(np.full(first.shape, cutoff_day, dtype=np.int64)) - at_first
        return pd.DataFrame({"frequency": frequency, "recency": recency / dpu, "T": age / dpu,
                             "monetary_value": monetary}, index=agg.index)

    def holdout(self, index: pd.Index, after_day: int, end_day: int) -> pd.DataFrame:
        """``n_days`` and ``total`` per customer of ``index`` in ``(after_day, end_day]`` (0 when none)."""
        agg = self.window(after_day + 1, end_day).per_customer().reindex(index)
        return pd.DataFrame({"n_days": agg["n_days"].fillna(0).to_numpy(dtype=np.int64),
                             "total": agg["total"].fillna(0.0).to_numpy(dtype=np.float64)}, index=index)


def rfm_summary(
    log: PurchaseDays,
    cutoff: DateLike | None = None,
    *,
    unit: TimeUnit = "D",
    start: DateLike | None = None,
) -> pd.DataFrame:
    """Per-customer frequency / recency / age / average spend, the inputs of the BTYD and Gamma-Gamma models.

    Parameters
    ----------
    log : PurchaseDays
        The purchase days, e.g. ``PurchaseDays.from_grain(session.purchase_days())`` (the engine reduces the
        lines; :meth:`retention.engine.Session.rfm_summary` returns the same frame without leaving the engine).
    cutoff : date-like, optional
        End of the observation period, inclusive (the whole cutoff day counts). Later purchase days are
        ignored. Default: the last purchase day in the log (on or after ``start``).
    unit : {"D", "W"}, default "D"
        Time unit of ``recency`` and ``T``: ``"D"`` days, ``"W"`` weeks (= days / 7).
    start : date-like, optional
        Start of the observation window, inclusive: earlier purchase days are ignored, so a customer
        whose history begins before ``start`` is treated as first seen at their first purchase on or
        after ``start``. Default: no lower bound.

    Returns
    -------
    DataFrame
        Indexed by customer id (sorted), with columns

        * ``frequency`` -- number of repeat purchase days, ``x`` = distinct purchase days - 1 (int);
        * ``recency`` -- ``t_x``, time from first to last purchase, in ``unit`` (0 if ``x == 0``);
        * ``T`` -- age, time from first purchase to ``cutoff``, in ``unit``;
        * ``monetary_value`` -- mean value of the repeat purchase days (0 if ``x == 0``).

    Raises
    ------
    ValueError
        If ``unit`` is unknown or ``start`` is after ``cutoff``.

    Examples
    --------
    >>> grain = pd.DataFrame({"CustomerID": ["a", "a"], "day": [19723, 19730], "value": [10.0, 4.0]})
    >>> rfm_summary(PurchaseDays.from_grain(grain), "2024-01-15", unit="W").loc["a"].tolist()
    [1.0, 1.0, 2.0, 4.0]
    """
    days_per_unit(unit)
    start_day = None if start is None else log.day_of(start, "start")
    if cutoff is None:
        cutoff_day = log.window(start_day, np.iinfo(np.int64).max).last_day
    else:
        cutoff_day = log.day_of(cutoff, "cutoff")
    if start_day is not None and start_day > cutoff_day:
        raise ValueError(f"start ({start}) is after cutoff ({cutoff})")
    return log.summary(cutoff_day, start_day, unit)


def calibration_holdout_summary(
    log: PurchaseDays,
    calibration_end: DateLike,
    holdout_end: DateLike,
    *,
    unit: TimeUnit = "D",
    start: DateLike | None = None,
) -> pd.DataFrame:
    """Calibration-period summary plus what each customer actually did in the holdout period.

    The standard set-up for validating a customer-base model [1]_: fit on ``(start, calibration_end]``,
    compare predictions with ``(calibration_end, holdout_end]``.

    Parameters
    ----------
    log : PurchaseDays
        The purchase days, as in :func:`rfm_summary`.
    calibration_end : date-like
        Last day (inclusive) of the calibration period.
    holdout_end : date-like
        Last day (inclusive) of the holdout period; must be after ``calibration_end``.
    unit : {"D", "W"}, default "D"
        Time unit of ``recency``, ``T`` and ``duration_holdout``: days, or weeks (= days / 7).
    start
        As in :func:`rfm_summary`.

    Returns
    -------
    DataFrame
        One row per customer whose first purchase (in the window) is on or before ``calibration_end``:
        the :func:`rfm_summary` columns as of ``calibration_end`` plus

        * ``frequency_holdout`` -- number of distinct purchase days in ``(calibration_end, holdout_end]``;
        * ``monetary_value_holdout`` -- mean value of those purchase days (0 if none);
        * ``duration_holdout`` -- length of the holdout period in ``unit``.
    """
    days_per_unit(unit)
    cal_day = log.day_of(calibration_end, "calibration_end")
    hold_day = log.day_of(holdout_end, "holdout_end")
    if hold_day <= cal_day:
        raise ValueError(f"holdout_end ({holdout_end}) must be after calibration_end ({calibration_end})")
    start_day = None if start is None else log.day_of(start, "start")
    if start_day is not None and start_day > cal_day:
        raise ValueError(f"start ({start}) is after calibration_end ({calibration_end})")
    summary = log.summary(cal_day, start_day, unit)
    hold = log.holdout(summary.index, cal_day, hold_day)
    n_days, total = hold["n_days"].to_numpy(), hold["total"].to_numpy()
    summary["frequency_holdout"] = n_days
    summary["monetary_value_holdout"] = np.divide(total, n_days, out=np.zeros(len(total)), where=n_days > 0)
    summary["duration_holdout"] = (hold_day - cal_day) / days_per_unit(unit)
    return summary
