"""Model checks for the report: holdout by frequency, cumulative tracking and the P(alive) grid.

These are the papers' standard figures (Fader, Hardie & Lee 2005, figures 2-4) as tidy tables, for any
purchase model (BG/NBD, MBG/NBD, Pareto/NBD) fitted in the unit of the summary it is checked on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .models import PurchaseModel
from .summary import DateLike, PurchaseDays, TimeUnit, days_per_unit

__all__ = ["holdout_by_frequency", "probability_alive_matrix", "repeat_purchase_tracking"]


def holdout_by_frequency(holdout: pd.DataFrame, model: PurchaseModel, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration-period frequency (the papers' Figure 2).

    ``holdout`` comes from :func:`calibration_holdout_summary` (in the unit the model was fitted in).
    Frequencies at or above ``max_frequency`` are pooled into one ``"7+"`` group.
    """
    predicted = np.asarray(model.conditional_expected_purchases(
        holdout["duration_holdout"], holdout["frequency"], holdout["recency"], holdout["T"]), dtype=np.float64)
    group = np.minimum(holdout["frequency"].to_numpy(), max_frequency).astype(int)
    frame = pd.DataFrame({"group": group, "actual": holdout["frequency_holdout"].to_numpy(), "predicted": predicted})
    out = frame.groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                     predicted=("predicted", "mean")).reset_index()
    out["frequency"] = [f"{g}+" if g == max_frequency else str(g) for g in out["group"]]
    return out[["frequency", "customers", "actual", "predicted"]]


def repeat_purchase_tracking(
    log: PurchaseDays,
    model: PurchaseModel,
    calibration_end: DateLike,
    end: DateLike,
    *,
    unit: TimeUnit = "D",
    step_days: int = 7,
) -> pd.DataFrame:
    """Cumulative repeat purchases over time, actual vs the model's forecast, for the calibration cohort.

    ``log`` is the purchase days (:meth:`PurchaseDays.from_grain` of the engine's purchase-day grain). The
    cohort is the customers whose first purchase is on or before ``calibration_end``. Actual: their
    repeat purchase days up to each date (a purchase day is one purchase, as in :func:`rfm_summary`).
    Predicted: the sum over the cohort of the unconditional ``E[X(t - first purchase)]``. A forecast
    that tracks the actual line through the holdout period (after ``calibration_end``) is a sign the
    model describes the buying process, not only the calibration data.
    """
    cal_day, last = log.day_of(calibration_end, "calibration_end"), log.day_of(end, "end")
    first = log.first_of_customer()
    in_cohort = np.zeros(len(log.customers), dtype=bool)
    in_cohort[log.code[first][log.day[first] <= cal_day]] = True
    first_day = log.day[first & in_cohort[log.code]]
    repeats = np.sort(log.day[~first & in_cohort[log.code]])
    grid = np.arange(first_day.min(), last + 1, step_days, dtype=np.int64)
    if grid[-1] != last:
        grid = np.r_[grid, last]
    ages = (grid[:, None] - first_day[None, :]).astype(np.float64)
    expected = np.asarray(model.expected_purchases(np.clip(ages, 0, None) / days_per_unit(unit)), dtype=np.float64)
    counts = np.searchsorted(repeats, grid, side="right")
    return pd.DataFrame({"date": pd.to_datetime(grid, unit="D"), "actual": counts.astype(np.int64),
                         "predicted": expected.sum(axis=1),
                         "period": np.where(grid <= cal_day, "calibration", "holdout")})


def probability_alive_matrix(model: PurchaseModel, T: float, max_frequency: int, n_recency: int = 20) -> pd.DataFrame:
    """P(alive) for a customer of age ``T`` over a grid of frequency (rows) and recency (columns)."""
    recency = np.linspace(0.0, T, n_recency)
    frequency = np.arange(0, max_frequency + 1, dtype=np.float64)
    x, tx = np.meshgrid(frequency, recency, indexing="ij")
    tx = np.where(x == 0, 0.0, tx)  # without repeat purchases recency is 0 by definition
    alive = np.asarray(model.probability_alive(x.ravel(), tx.ravel(), np.full(x.size, T)), dtype=np.float64)
    return pd.DataFrame(alive.reshape(x.shape), index=pd.Index(frequency.astype(int), name="frequency"),
                        columns=pd.Index(np.round(recency, 1), name="recency"))
