"""Cohort value curves: cumulative margin per customer by acquisition month, observed and then forecast.

A cohort is the customers whose first purchase fell in one calendar month. Its curve is the margin
(``margin`` times revenue, first purchases included) per cohort customer, cumulated month by month up
to the cutoff from the log, then extended month by month by the purchase forecast: at the end of each
calendar month after the cutoff's, each customer adds
``expected_order_value * P(alive) * E[purchases in (cutoff, month end] | alive]`` (undiscounted, on the
forecast's seasonal clock). The last observed month is the cutoff's (up to the cutoff day); the first
forecast month is the next one, so every cohort has one point per calendar month. The band comes from
the parameter draws (:mod:`.uncertainty`): the 5 % and 95 % quantiles of the cohort's drawn forecast
revenue, relative to its mean over the draws, scale the forecast part of every month (the relative
uncertainty is taken as constant along the horizon).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .forecast import PurchaseForecast
from .models import GammaGammaModel
from .summary import PurchaseDays
from .uncertainty import ValueDraws

__all__ = ["cohort_value_curves"]

COLUMNS = ["cohort", "month", "months_since_acquisition", "period", "customers", "cumulative_margin_per_customer",
           "lower", "upper"]


def _month(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _label(months: np.ndarray) -> list[str]:
    return [str(np.datetime64(int(m), "M")) for m in months]


def _observed(log: PurchaseDays, cutoff_day: int, margin: float) -> tuple[pd.DataFrame, pd.Series]:
    """Observed cumulative margin per customer by cohort and calendar month up to the cutoff's month."""
    hist = log.window(None, cutoff_day)
    first = hist.per_customer()["first_day"]
    cohort_of = _month(first.to_numpy())
    cust_cohort = np.empty(len(log.customers), dtype=np.int64)
    cust_cohort[log.customers.get_indexer(first.index)] = cohort_of
    frame = pd.DataFrame({"cohort": cust_cohort[hist.code], "month": _month(hist.day), "value": hist.value})
    sizes = pd.Series(cohort_of).value_counts().sort_index()
    last_month = int(_month(np.array([cutoff_day]))[0])
    grid = pd.MultiIndex.from_tuples([(c, m) for c in sizes.index for m in range(int(c), last_month + 1)],
                                     names=["cohort", "month"])
    monthly = frame.groupby(["cohort", "month"])["value"].sum().reindex(grid, fill_value=0.0)
    cumulative = monthly.groupby(level="cohort").cumsum() * margin
    out = cumulative.rename("total").reset_index()
    out["customers"] = out["cohort"].map(sizes).to_numpy()
    return out, pd.Series(cohort_of, index=first.index)


def cohort_value_curves(log: PurchaseDays, forecast: PurchaseForecast, gamma_gamma: GammaGammaModel,
                        draws: ValueDraws | None = None, *, margin: float = 1.0, months_ahead: int = 12,
                        lower: float = 0.05, upper: float = 0.95) -> pd.DataFrame:
    """Tidy cohort curves (module docstring): one row per cohort and month, ``period`` observed or forecast.

    Returns columns ``cohort`` and ``month`` (``"YYYY-MM"``), ``months_since_acquisition``, ``period``,
    ``customers``, ``cumulative_margin_per_customer`` and the band ``lower``/``upper`` (equal to the value
    on observed months; equal to it on forecast months too when no draws are given).
    """
    observed, cohort_of = _observed(log, forecast.cutoff_day, margin)
    s = forecast.summary
    x, tx, age, m = (s[c].to_numpy(dtype=np.float64) for c in ("frequency", "recency", "T", "monetary_value"))
    eov = np.asarray(gamma_gamma.conditional_expected_average_value(x, m))
    alive = np.asarray(forecast.model.probability_alive(x, tx, age))
    cohorts = cohort_of.reindex(s.index).to_numpy()
    sizes = observed.groupby("cohort")["customers"].first()
    base = observed.groupby("cohort")["total"].last()
    cut_month = int(_month(np.array([forecast.cutoff_day]))[0])
    months = cut_month + np.arange(1, months_ahead + 1)
    # the last day of each calendar month after the cutoff's, as days after the cutoff
    end_days = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1 - forecast.cutoff_day
    ends = forecast.horizon(end_days)
    rows = []
    for k, (month, h) in enumerate(zip(months, ends, strict=True)):
        revenue = eov * alive * np.asarray(forecast.model.expected_purchases_if_alive(float(h), x, tx, age))
        extra = pd.Series(revenue).groupby(cohorts).sum() * margin
        rows.append(pd.DataFrame({"cohort": extra.index, "month": int(month), "extra": extra.to_numpy(), "step": k}))
    future = pd.concat(rows, ignore_index=True)
    future["total"] = future["cohort"].map(base).to_numpy() + future["extra"]
    future["customers"] = future["cohort"].map(sizes).to_numpy()
    low, high = _relative_band(draws, cohorts, future, lower, upper)
    out = pd.concat([
        observed.assign(period="observed", lo=observed["total"], hi=observed["total"]),
        future.assign(period="forecast", lo=future["total"] - future["extra"] * (1 - low),
                      hi=future["total"] + future["extra"] * (high - 1)),
    ], ignore_index=True)
    per = out["customers"].to_numpy()
    return pd.DataFrame({
        "cohort": _label(out["cohort"].to_numpy()), "month": _label(out["month"].to_numpy()),
        "months_since_acquisition": (out["month"] - out["cohort"]).to_numpy(), "period": out["period"].to_numpy(),
        "customers": per, "cumulative_margin_per_customer": out["total"].to_numpy() / per,
        "lower": out["lo"].to_numpy() / per, "upper": out["hi"].to_numpy() / per,
    }, columns=COLUMNS)


def _relative_band(draws: ValueDraws | None, cohorts: np.ndarray, future: pd.DataFrame, lower: float,
                   upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Per forecast row, the cohort's quantiles of drawn revenue over their mean (1 without draws)."""
    if draws is None:
        return np.ones(len(future)), np.ones(len(future))
    by_cohort = pd.DataFrame(draws.expected_revenue).groupby(cohorts).sum()
    point = by_cohort.mean(axis=1).replace(0.0, np.nan)
    lo = (by_cohort.quantile(lower, axis=1) / point).fillna(1.0)
    hi = (by_cohort.quantile(upper, axis=1) / point).fillna(1.0)
    return future["cohort"].map(lo).to_numpy(), future["cohort"].map(hi).to_numpy()
