"""How customers respond to a retention offer: assumed, or measured by a controlled test (issue 17, item 5).

The campaign economics (:mod:`retention.roi.economics`) read three per-customer columns; this module fills them
in the decision vocabulary:

* ``response_weight`` ``w`` -- extra buyers the offer makes of the customer per unit of the uplift ``u``. The
  uplift is always "the share of would-be non-buyers the offer converts" (:data:`GLOSSARY`), assumed or
  measured, so every option and every what-if cell reads it in one unit.

  - *Assumed* (no test): the offer converts the same share ``u`` of every customer's chance of not buying,
    ``w = churn probability``.
  - *Measured*: a test measured the offer's effect on the purchase rate, ``t`` points over the outcome window,
    with a control group of which the share ``c`` bought. The measured uplift in the same unit is
    ``u = t / (1 - c)`` (and so its interval). When an uplift model predicted each customer's effect
    ``t_i`` (probability points, :mod:`retention.experiments`), ``w = t_i / u``: at the measured ``u`` the
    offer changes the customer's chance of buying by exactly the predicted ``t_i``, and drawing ``u`` from
    its interval scales every prediction with it. Customers with a negative prediction are *sleeping dogs*
    (the offer makes them less likely to buy); they are counted and never make a list positive.

* ``response_value`` ``V`` -- the revenue one extra buyer brings: **one order** (``expected_order_value``).
  A test measures a purchase within the outcome window, not a year of a customer's life: counting the whole
  decision horizon's revenue for every extra buyer (the value at stake) is what made the first version of
  this model promise profits the generator's truth did not pay.
* ``buy_anyway`` ``q`` -- the chance the customer buys while the offer is valid without it (and redeems it):
  ``1 - churn probability``.

Value at stake and expected loss (what the business loses if a customer stops) keep their definitions: they
measure the risk, not what an offer can win back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from retention.roi.columns import BUY_ANYWAY, IN_BASE, ORDER_VALUE, PROBA, RESPONSE_VALUE, RESPONSE_WEIGHT

__all__ = ["PREDICTED_UPLIFT", "ResponseModel", "assumed_response", "measured_response", "response_columns",
           "sleeping_dogs"]

PREDICTED_UPLIFT = "predicted_uplift"


@dataclass(frozen=True)
class ResponseModel:
    """Where the uplift comes from and, when measured, its estimate and interval (share of would-be non-buyers).

    ``points`` holds the measured effect on the purchase rate (``estimate``, ``low``, ``high``, probability
    points over ``outcome_days``); ``control_rate`` the control group's purchase rate.
    """

    source: str                                  # "assumed" or "measured"
    uplift: float | None = None
    low: float | None = None
    high: float | None = None
    alpha: float = 0.05
    points: Mapping[str, float] | None = None
    control_rate: float | None = None
    outcome_days: int | None = None
    n_treatment: int | None = None
    n_control: int | None = None
    campaign: str | None = None
    sent_at: str | None = None
    learner: str | None = None
    per_customer: bool = False                   # the weights follow a learner's predicted uplift

    @property
    def measured(self) -> bool:
        return self.source == "measured"

    @property
    def std_error(self) -> float:
        """Standard error implied by the interval (its half-width over the normal quantile)."""
        if not self.measured:
            return float("nan")
        return (float(self.high) - float(self.low)) / (2.0 * norm.ppf(1.0 - self.alpha / 2.0))

    def draws(self, n_draws: int, seed: int = 0) -> np.ndarray:
        """Normal draws of the measured uplift (for the Monte Carlo of every option)."""
        if not self.measured:
            raise ValueError("an assumed uplift has no measured interval to draw from")
        return np.random.default_rng(seed).normal(float(self.uplift), self.std_error, int(n_draws))

    def range(self) -> tuple[float, float]:
        """The interval clipped to shares (0..1), for scenarios and the tornado."""
        if not self.measured:
            raise ValueError("an assumed uplift has no measured interval")
        return min(max(float(self.low), 0.0), 1.0), min(max(float(self.high), 0.0), 1.0)

    def sentence(self) -> str:
        """The measurement (or its absence) in plain words."""
        if not self.measured:
            return ("No controlled test has measured the offer: every uplift below is an assumption from the "
                    "params (the share of would-be non-buyers the offer converts).")
        pts = self.points or {}
        level = f"{1 - self.alpha:.0%}"
        who = (f"; each customer's share follows the {self.learner}'s predicted uplift" if self.per_customer
               else "")
        return (f"A controlled test ({self.campaign or 'a past campaign'}, sent {self.sent_at}, "
                f"{self.n_treatment:,} treated and {self.n_control:,} control customers) measured "
                f"{pts.get('estimate', float('nan')) * 100:+.1f} points on the {self.outcome_days}-day purchase "
                f"rate ({level} interval {pts.get('low', float('nan')) * 100:+.1f} to "
                f"{pts.get('high', float('nan')) * 100:+.1f}); {self.control_rate:.0%} of the control group bought, "
                f"so the offer converts {self.uplift:.1%} of would-be non-buyers ({self.low:.1%} to "
                f"{self.high:.1%}){who}.")

    def as_dict(self) -> dict[str, Any]:
        """Plain values for ``decision.json``."""
        return {"source": self.source, "uplift": self.uplift, "low": self.low, "high": self.high,
                "purchase_rate_points": dict(self.points) if self.points else None,
                "control_purchase_rate": self.control_rate, "outcome_days": self.outcome_days,
                "n_treatment": self.n_treatment, "n_control": self.n_control, "campaign": self.campaign,
                "sent_at": self.sent_at, "learner": self.learner if self.per_customer else None,
                "note": self.sentence()}


def assumed_response() -> ResponseModel:
    """No test: the params' uplifts apply (to every customer's chance of not buying)."""
    return ResponseModel(source="assumed")


def measured_response(summary: Mapping[str, Any] | None, control_rate: float | None, *, alpha: float = 0.05,
                      predicted: pd.Series | None = None) -> ResponseModel:
    """The measured uplift of ``experiment_summary.json`` in the decision's unit, or :func:`assumed_response`.

    Parameters
    ----------
    summary : mapping or None
        ``experiment_summary.json`` (``present``, ``uplift`` with ``estimate``/``low``/``high`` in probability
        points, ``n_treatment``, ``n_control``, ``outcome_days``, ``campaign``, ``sent_at``, ``learner``).
    control_rate : float or None
        The control group's purchase rate over the outcome window (``experiment_effects.csv``).
    predicted : pandas.Series, optional
        The learner's predicted uplift per customer; used for the weights when any is known and the measured
        uplift is positive.
    """
    if not summary or not summary.get("present") or not summary.get("uplift") or control_rate is None:
        return assumed_response()
    pts = {k: float(summary["uplift"][k]) for k in ("estimate", "low", "high")}
    stay = 1.0 - float(control_rate)
    if not math.isfinite(stay) or stay <= 0 or not all(math.isfinite(v) for v in pts.values()):
        return assumed_response()
    has_predictions = predicted is not None and bool(pd.to_numeric(predicted, errors="coerce").notna().any())
    return ResponseModel(
        source="measured", uplift=pts["estimate"] / stay, low=pts["low"] / stay, high=pts["high"] / stay,
        alpha=alpha, points=pts, control_rate=float(control_rate), outcome_days=summary.get("outcome_days"),
        n_treatment=summary.get("n_treatment"), n_control=summary.get("n_control"),
        campaign=summary.get("campaign"), sent_at=summary.get("sent_at"), learner=summary.get("learner"),
        per_customer=has_predictions and pts["estimate"] > 0)


def response_columns(frame: pd.DataFrame, model: ResponseModel,
                     predicted: pd.Series | None = None) -> pd.DataFrame:
    """``response_weight``, ``response_value`` and ``buy_anyway`` per customer of a decision frame.

    Customers without a prediction (NaN) keep the churn-probability weight.
    """
    p = frame[PROBA].astype(float)
    weight = p.copy()
    if model.measured and model.per_customer and predicted is not None:
        tau = pd.to_numeric(predicted.reindex(frame.index), errors="coerce")
        weight = (tau / float(model.uplift)).where(tau.notna(), p)
    return pd.DataFrame({RESPONSE_WEIGHT: weight.astype(float),
                         RESPONSE_VALUE: frame[ORDER_VALUE].astype(float), BUY_ANYWAY: 1.0 - p}, index=frame.index)


def sleeping_dogs(frame: pd.DataFrame, model: ResponseModel) -> pd.Series:
    """True for customers of the base the offer is predicted to put off (negative response weight)."""
    if RESPONSE_WEIGHT not in frame.columns or not model.per_customer:
        return pd.Series(False, index=frame.index, name="sleeping_dog")
    in_base = frame[IN_BASE].astype(bool) if IN_BASE in frame.columns else True
    return ((frame[RESPONSE_WEIGHT] < 0) & in_base).rename("sleeping_dog")
