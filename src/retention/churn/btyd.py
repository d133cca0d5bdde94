"""BTYD ("buy 'til you die") outputs as churn features, each computed without looking past its cutoff.

For every cutoff a purchase model is fitted on the purchase days up to and including the cutoff day only
(no labels, nothing after the cutoff), and read for the customers active by then:

* ``p_alive`` -- P(the customer is still active at the cutoff);
* ``p_no_purchase`` -- P(no purchase in the ``horizon_days`` after the cutoff): the purchase model's own
  answer to the churn question, and the BTYD baseline of the comparison;
* ``expected_purchases`` -- expected number of purchase days in those ``horizon_days``.

The model is one of :data:`retention.clv.MODEL_NAMES` (BG/NBD by default: Fader, Hardie & Lee 2005, "Counting
Your Customers" the Easy Way, *Marketing Science* 24(2), 275-284), fitted by
:func:`retention.clv.fit_purchase_forecast`, the one place where a model name and a calendar become a forecast,
so the churn features and the value report read the same definitions.

The shop's calendar
-------------------
Churn follows the season: the same customers are likelier to buy in the 90 days before Christmas than in the 90
days after it. With ``seasonal="auto"`` each cutoff's model runs on the shop's calendar as far as the history
before that cutoff shows it (:mod:`retention.clv.seasonality`: a month-of-year index needs a full year of history,
a weekday index four weeks, and each is kept only when a test finds it), so the probability of no purchase in the
next ``horizon_days`` knows whether those days are busy or quiet. A cutoff whose history cannot show a calendar
gets the stationary model, and :attr:`BTYDFeatures.note` says why. On the default generated data (one year, a
November peak) the training and validation cutoffs have less than a year of history (weekday index at most), the
live cutoff a full year: the month index moved the live mean P(no purchase in 90 days) from 55% to 66% where 66%
truly made no purchase (generator's truth), and the live Brier score of the shipped score from 0.201 to 0.177.

Input
-----
The purchase days come from the engine (:meth:`retention.engine.session.Session.purchase_days`: one row per
customer and purchase day, never the lines); :func:`purchase_log` turns them into the
:class:`retention.clv.PurchaseDays` the clv package reads.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention.churn.design import check_whole

__all__ = ["BTYD_FEATURES", "FALLBACK_PENALIZER", "PURCHASE_MODEL", "BTYDFeatures", "purchase_log", "btyd_features",
           "btyd_features_at", "add_btyd_features"]

BTYD_FEATURES: tuple[str, ...] = ("p_alive", "p_no_purchase", "expected_purchases")
"""The per-customer columns :func:`btyd_features` computes."""

FALLBACK_PENALIZER = 1e-4
"""L2 penalty of the refit when the purchase model without penalty gives non-finite predictions (small data)."""

PURCHASE_MODEL = "bgnbd"
"""The purchase model of the churn features. Measured against the modified BG/NBD and Pareto/NBD as churn
baselines (calibrated P(no purchase in 90 days), out-of-time validation Brier score): default data 0.2036
(BG/NBD), 0.2047, 0.2076; CDNOW 0.0900, 0.0899, 0.0899 -- BG/NBD best or tied, so it stays."""

_UNITS = ("D", "W")


@dataclass(frozen=True)
class BTYDFeatures:
    """The BTYD features of every customer at one cutoff, with the purchase forecast behind them.

    Attributes
    ----------
    cutoff : pandas.Timestamp
        The cutoff day (midnight).
    table : pandas.DataFrame
        Index CustomerID (every customer with a purchase on or before the cutoff day, sorted), columns
        :data:`BTYD_FEATURES` as floats.
    forecast : retention.clv.PurchaseForecast
        The fitted model and its calendar.
    penalized : bool
        True when the plain fit was degenerate and the model was refitted with :data:`FALLBACK_PENALIZER`.
    """

    cutoff: pd.Timestamp
    table: pd.DataFrame
    forecast: Any
    penalized: bool = False

    @property
    def seasonal(self) -> bool:
        """True when the model runs on a non-flat calendar."""
        return bool(self.forecast.seasonal)

    @property
    def calendar(self) -> str:
        """The calendar components in use, in words: "month and weekday", "weekday" or "none"."""
        table = self.forecast.index.table()
        used = [c for c in ("month", "weekday")
                if not np.allclose(table.loc[table["component"] == c, "intensity"].to_numpy(), 1.0)]
        return " and ".join(used) if used else "none"

    @property
    def note(self) -> str:
        """The calendar decision in plain words (from the clv package)."""
        return str(self.forecast.note)

    def window_intensity(self, horizon_days: int) -> float:
        """How busy the ``horizon_days`` after the cutoff are by the model's calendar: operational days per calendar
        day (1 = an average stretch, or no calendar; 0.8 = a fifth quieter)."""
        forecast = self.forecast
        return float(forecast.clock.length(forecast.cutoff_day, int(horizon_days))) / float(horizon_days)

    def parameters(self) -> dict[str, float]:
        """The fitted model parameters (e.g. r, alpha, a, b of BG/NBD)."""
        return {str(k): float(v) for k, v in dict(self.forecast.model.params_).items()}


def purchase_log(days: pd.DataFrame) -> Any:
    """The engine's purchase-day grain (``CustomerID``, ``day``, ``value``; :meth:`Session.purchase_days`) as a
    :class:`retention.clv.PurchaseDays`."""
    from retention.clv import PurchaseDays

    return PurchaseDays.from_grain(days)


def _read(forecast: Any, horizon_days: int) -> dict[str, np.ndarray]:
    """The :data:`BTYD_FEATURES` of a fitted forecast; FloatingPointError when any is not finite."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        values = {"p_alive": forecast.probability_alive(),
                  "p_no_purchase": forecast.probability_no_purchase(horizon_days),
                  "expected_purchases": forecast.expected_purchases(horizon_days)}
    values = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    if not all(np.isfinite(v).all() for v in values.values()):
        raise FloatingPointError("non-finite BTYD predictions")
    return values


def btyd_features(log: Any, cutoff: Any, horizon_days: int, unit: str = "W", *, model: str = PURCHASE_MODEL,
                  seasonal: bool | str = False) -> BTYDFeatures:
    """P(alive), P(no purchase in the horizon) and expected purchases per customer, as of ``cutoff``.

    Parameters
    ----------
    log : retention.clv.PurchaseDays
        The purchase days (:func:`purchase_log`); days after the cutoff are ignored.
    cutoff : date-like
        The cutoff day (the whole day is history).
    horizon_days : int
        The churn horizon ``H`` in days (calendar days after the cutoff, converted to the model's clock).
    unit : {"D", "W"}, default "W"
        Time unit the purchase model is fitted in (weeks, as in the papers).
    model : str, default "bgnbd"
        A name of :data:`retention.clv.MODEL_NAMES`.
    seasonal : {False, True, "auto"}, default False
        The calendar (:func:`retention.clv.fit_purchase_forecast`): ``"auto"`` uses what the history before the
        cutoff shows and its tests keep.

    Returns
    -------
    BTYDFeatures
        When the plain maximum-likelihood fit gives non-finite predictions (on little data BG/NBD can run off
        to ``a, b -> infinity``) the model is refitted with :data:`FALLBACK_PENALIZER`, and a RuntimeWarning says
        so.
    """
    from retention.clv import fit_purchase_forecast

    check_whole(horizon_days, "horizon_days", 1)
    if unit not in _UNITS:
        raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}.")
    day = pd.Timestamp(cutoff).normalize()
    cutoff_day = log.day_of(day, "cutoff")
    if log.day.size == 0 or int(log.day.min()) > cutoff_day:
        raise ValueError(f"No customer has a purchase on or before the cutoff {day.date()}.")
    options = {"model": model, "seasonal": seasonal, "unit": unit, "covariance": False}
    penalized = False
    forecast = fit_purchase_forecast(log, cutoff_day, **options)
    try:
        values = _read(forecast, horizon_days)
    except FloatingPointError:
        warnings.warn(f"The purchase model fitted on the history to {day.date()} is degenerate (its predictions are "
                      f"not finite, e.g. a and b of BG/NBD run off to infinity on little data); it was refitted "
                      f"with penalizer={FALLBACK_PENALIZER:g}.", RuntimeWarning, stacklevel=2)
        forecast = fit_purchase_forecast(log, cutoff_day, penalizer=FALLBACK_PENALIZER, **options)
        values, penalized = _read(forecast, horizon_days), True
    table = pd.DataFrame(values, index=pd.Index(forecast.summary.index.astype("string"), name="CustomerID"))
    return BTYDFeatures(cutoff=day, table=table.sort_index(), forecast=forecast, penalized=penalized)


def btyd_features_at(log: Any, cutoffs: Iterable[Any], horizon_days: int, unit: str = "W", *,
                     model: str = PURCHASE_MODEL, seasonal: bool | str = False) -> dict[pd.Timestamp, BTYDFeatures]:
    """:func:`btyd_features` at every cutoff (each fitted on its own history), keyed by cutoff day, in order."""
    days = sorted({pd.Timestamp(c).normalize() for c in cutoffs})
    if not days:
        raise ValueError("cutoffs is empty; pass at least one cutoff day.")
    return {day: btyd_features(log, day, horizon_days, unit, model=model, seasonal=seasonal) for day in days}


def add_btyd_features(frame: pd.DataFrame, features: BTYDFeatures | Mapping[Any, BTYDFeatures]) -> pd.DataFrame:
    """``frame`` with the :data:`BTYD_FEATURES` of each row's customer at each row's cutoff.

    Parameters
    ----------
    frame : pandas.DataFrame
        Either examples (``CustomerID`` and ``cutoff`` columns, e.g. the engine's ``churn_examples``), or live
        features indexed by CustomerID (one cutoff).
    features : BTYDFeatures or mapping of cutoff to BTYDFeatures
        From :func:`btyd_features` / :func:`btyd_features_at`: one per distinct cutoff of ``frame``, or exactly
        one for a frame without a ``cutoff`` column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` (same index and row order) with the three columns added (replaced when present).
        Every row's customer has a purchase on or before its cutoff, so no value is missing.
    """
    found_at = {features.cutoff: features} if isinstance(features, BTYDFeatures) else \
        {pd.Timestamp(k).normalize(): v for k, v in features.items()}
    out = frame.drop(columns=[c for c in BTYD_FEATURES if c in frame.columns])
    if "cutoff" in out.columns:
        ids = out["CustomerID"].astype("string")
        cutoffs = pd.to_datetime(out["cutoff"]).dt.normalize()
    elif len(found_at) == 1:
        ids = (out["CustomerID"] if "CustomerID" in out.columns else pd.Series(out.index, index=out.index))
        ids = ids.astype("string")
        cutoffs = pd.Series(next(iter(found_at)), index=out.index)
    else:
        raise ValueError("frame has no 'cutoff' column; pass the BTYD features of exactly one cutoff.")
    values = np.full((len(out), len(BTYD_FEATURES)), np.nan)
    for day in sorted(pd.unique(cutoffs)):
        day = pd.Timestamp(day)
        if day not in found_at:
            raise ValueError(f"No BTYD features for the cutoff {day.date()}; compute them with btyd_features_at.")
        rows = np.flatnonzero((cutoffs == day).to_numpy())
        found = found_at[day].table.reindex(ids.iloc[rows].to_numpy())
        if found.isna().any(axis=None):
            unknown = found.index[found.isna().any(axis=1)][:5].tolist()
            raise ValueError(f"Customers {unknown} have no purchase on or before {day.date()}; the frame does not "
                             f"come from these purchase days.")
        values[rows] = found.to_numpy()
    return out.assign(**{c: values[:, j] for j, c in enumerate(BTYD_FEATURES)})
