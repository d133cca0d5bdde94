"""Probability calibration maps: Platt scaling on the log-odds, or an isotonic step function.

A calibrator is fitted on scores that were *not* fitted on the same labels (out-of-fold predictions of
a cross-validated model, or an unsupervised score such as a BTYD model's P(no purchase)) and maps any
later score of the same model to a probability. Platt scaling (Platt 1999) fits
``P(churn) = 1 / (1 + exp(-(a * logit(score) + b)))``: monotone and smooth, so it keeps the ranking
(ROC-AUC) intact; isotonic regression (Zadrozny & Elkan 2002) fits any non-decreasing step function.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from retention.churn.design import binary_target

__all__ = ["CALIBRATION_METHODS", "ProbabilityCalibrator", "logit"]

CALIBRATION_METHODS: tuple[str, ...] = ("sigmoid", "isotonic")
"""``"sigmoid"``: Platt scaling on the log-odds; ``"isotonic"``: a non-decreasing step function."""

_EPS = 1e-6


def logit(proba: Any) -> np.ndarray:
    """``log(p / (1 - p))`` with ``p`` clipped to ``[1e-6, 1 - 1e-6]`` (finite for 0 and 1)."""
    p = np.clip(np.asarray(proba, dtype=float), _EPS, 1.0 - _EPS)
    return np.log(p) - np.log1p(-p)


class ProbabilityCalibrator(BaseEstimator):
    """A monotone map from a model's churn scores (probabilities in [0, 1]) to calibrated probabilities.

    Parameters
    ----------
    method : {"sigmoid", "isotonic"}, default "sigmoid"
        Platt scaling on ``logit(score)`` (two parameters) or isotonic regression on the score.

    Attributes
    ----------
    map_ : LogisticRegression or IsotonicRegression
        The fitted map.
    """

    def __init__(self, method: str = "sigmoid") -> None:
        self.method = method

    def fit(self, proba: Any, y: Any) -> ProbabilityCalibrator:
        """Learn the map from scores ``proba`` (not fitted on ``y``) to the labels ``y``."""
        if self.method not in CALIBRATION_METHODS:
            raise ValueError(f"method must be one of {CALIBRATION_METHODS}, got {self.method!r}.")
        scores, target = np.asarray(proba, dtype=float), binary_target(y)
        if scores.shape != target.shape:
            raise ValueError(f"proba has shape {scores.shape} but y has {target.shape}.")
        if self.method == "sigmoid":
            self.map_ = LogisticRegression(C=1e4, max_iter=1000).fit(logit(scores)[:, None], target)
        else:
            self.map_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, target)
        return self

    def predict(self, proba: Any) -> np.ndarray:
        """Calibrated churn probabilities of the scores ``proba``."""
        check_is_fitted(self, "map_")
        scores = np.asarray(proba, dtype=float)
        if self.method == "sigmoid":
            return self.map_.predict_proba(logit(scores)[:, None])[:, 1]
        return np.clip(self.map_.predict(scores), 0.0, 1.0)
