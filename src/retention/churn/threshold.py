"""The decision threshold: chosen where it can be checked, reported where it is used.

With a missed churner costing ``c_fn`` and an offer to a customer who would have stayed costing
``c_fp``, contacting everyone with ``p > c_fp / (c_fp + c_fn)`` is cheapest *if the probabilities are
calibrated for the customers it is applied to*. Probabilities calibrated on the training cutoffs are
not necessarily calibrated at a later cutoff: when the churn rate moves (a season, a trend) the
probabilities drift, and the break-even threshold stops being the cheapest one. (On the default data
the model fitted on spring cutoffs predicted 58% churn at the autumn validation cutoff where 52%
churned: the break-even 1/3 then flagged 91% of customers and cost more than 0.5.)

:func:`choose_threshold` therefore picks the threshold that is cheapest on the training customers'
*out-of-fold* predictions (honest: no customer's prediction comes from a model fitted on them), reports
its cost on the validation cutoff next to 0.5, the break-even value and the hindsight-best validation
threshold (for reference only: choosing it would use the validation labels), and writes a note when the
mean predicted churn rate at validation is more than ``drift_tolerance`` away from the observed rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention.metrics import cheapest_threshold, cost_optimal_threshold, expected_cost

__all__ = ["ThresholdChoice", "choose_threshold"]

_ROWS = ("Chosen on the training folds", "Break-even for calibrated probabilities", "Default 0.5",
         "Cheapest on validation (hindsight)")


@dataclass(frozen=True)
class ThresholdChoice:
    """The chosen threshold and how it fares.

    Attributes
    ----------
    threshold : float
        Cheapest on the training customers' out-of-fold predictions at the given costs.
    bayes_threshold : float
        ``c_fp / (c_fp + c_fn)``, cheapest for perfectly calibrated probabilities.
    table : pandas.DataFrame
        Index: the chosen, break-even, 0.5 and hindsight-best thresholds; columns ``threshold``,
        ``train_cost_per_customer``, ``train_flagged_share``, ``validation_cost_per_customer``,
        ``validation_flagged_share``.
    calibration : pandas.DataFrame
        Index ``training`` (the honest training predictions given), ``validation``; columns
        ``mean_predicted``, ``observed_rate``, ``drift`` (mean predicted - observed).
    drift_tolerance : float
        Drift (in probability) above which :attr:`note` warns.
    note : str
        One or two plain sentences on whether the threshold held up at the validation cutoff and why.
    curve : pandas.DataFrame
        Cost per customer and share flagged at every threshold of a grid (``threshold``,
        ``train_cost_per_customer``, ``train_flagged_share``, ``validation_cost_per_customer``,
        ``validation_flagged_share``), for the chart of cost against threshold.
    """

    threshold: float
    bayes_threshold: float
    table: pd.DataFrame
    calibration: pd.DataFrame
    drift_tolerance: float
    note: str
    curve: pd.DataFrame | None = None

    @property
    def drifted(self) -> bool:
        """True when the validation probabilities are off the observed churn rate by more than the tolerance."""
        return bool(abs(self.calibration.loc["validation", "drift"]) > self.drift_tolerance)

    @property
    def cheaper_than_default_on_validation(self) -> bool:
        """True when the chosen threshold costs no more than 0.5 on the validation customers."""
        cost = self.table["validation_cost_per_customer"]
        return bool(cost.iloc[0] <= cost.loc["Default 0.5"])


def _costs(y: np.ndarray, p: np.ndarray, threshold: float, c_fn: float, c_fp: float) -> tuple[float, float]:
    """Cost per customer and share flagged when acting on ``p >= threshold``."""
    return expected_cost(y, p, threshold, c_fn, c_fp) / y.size, float((p >= threshold).mean())


def _note(calibration: pd.DataFrame, table: pd.DataFrame, tolerance: float) -> str:
    valid = calibration.loc["validation"]
    chosen, default = table["validation_cost_per_customer"].iloc[0], table.loc["Default 0.5",
                                                                               "validation_cost_per_customer"]
    held = "It was also cheaper than 0.5 at the validation cutoff." if chosen <= default else (
        "At the validation cutoff it cost more than 0.5.")
    if abs(valid["drift"]) <= tolerance:
        return (f"The probabilities stayed calibrated at the validation cutoff ({valid['mean_predicted']:.0%} "
                f"predicted, {valid['observed_rate']:.0%} churned). {held}")
    train = calibration.loc["training"]
    direction = "over" if valid["drift"] > 0 else "under"
    return (f"The churn rate moved between the training and the validation cutoffs: the model predicted "
            f"{valid['mean_predicted']:.0%} churn at the validation cutoff where {valid['observed_rate']:.0%} "
            f"churned ({train['observed_rate']:.0%} on the training cutoffs), so its probabilities "
            f"{direction}state churn there by {abs(valid['drift']) * 100:.1f} points and a threshold that is "
            f"cheapest for calibrated probabilities need not be cheapest there. {held}")


def choose_threshold(y_train: Any, p_train: Any, y_valid: Any, p_valid: Any, cost_missed_churner: float,
                     cost_wasted_offer: float, *, drift_tolerance: float = 0.02) -> ThresholdChoice:
    """The threshold cheapest on the training folds, with its cost on the validation cutoff.

    Parameters
    ----------
    y_train, p_train : array-like
        Training labels and honest churn probabilities of the same rows (out-of-fold, e.g.
        :func:`~retention.churn.training_predictions`).
    y_valid, p_valid : array-like
        Validation labels and the model's probabilities.
    cost_missed_churner, cost_wasted_offer : float
        ``c_fn`` and ``c_fp`` (currency per customer).
    drift_tolerance : float, default 0.02
        Drift of the mean validation probability from the observed rate that triggers the warning note.

    Returns
    -------
    ThresholdChoice
    """
    yt, pt = np.asarray(y_train, dtype=np.int64), np.asarray(p_train, dtype=float)
    yv, pv = np.asarray(y_valid, dtype=np.int64), np.asarray(p_valid, dtype=float)
    c_fn, c_fp = float(cost_missed_churner), float(cost_wasted_offer)
    chosen, _ = cheapest_threshold(yt, pt, c_fn, c_fp)
    hindsight, _ = cheapest_threshold(yv, pv, c_fn, c_fp)
    thresholds = (chosen, cost_optimal_threshold(c_fn, c_fp), 0.5, hindsight)
    rows = []
    for t in thresholds:
        train_cost, train_flagged = _costs(yt, pt, t, c_fn, c_fp)
        valid_cost, valid_flagged = _costs(yv, pv, t, c_fn, c_fp)
        rows.append({"threshold": t, "train_cost_per_customer": train_cost, "train_flagged_share": train_flagged,
                     "validation_cost_per_customer": valid_cost, "validation_flagged_share": valid_flagged})
    table = pd.DataFrame(rows, index=pd.Index(_ROWS, name="rule"))
    grid = np.round(np.arange(1, 100) / 100, 2)
    curve = pd.DataFrame([{"threshold": t, **dict(zip(("train_cost_per_customer", "train_flagged_share"),
                                                      _costs(yt, pt, t, c_fn, c_fp), strict=True)),
                           **dict(zip(("validation_cost_per_customer", "validation_flagged_share"),
                                      _costs(yv, pv, t, c_fn, c_fp), strict=True))} for t in grid])
    calibration = pd.DataFrame(
        {"mean_predicted": [pt.mean(), pv.mean()], "observed_rate": [yt.mean(), yv.mean()]},
        index=pd.Index(["training", "validation"], name="customers"))
    calibration["drift"] = calibration["mean_predicted"] - calibration["observed_rate"]
    return ThresholdChoice(threshold=chosen, bayes_threshold=thresholds[1], table=table, calibration=calibration,
                           drift_tolerance=float(drift_tolerance), note=_note(calibration, table, drift_tolerance),
                           curve=curve)
