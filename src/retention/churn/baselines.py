"""The simple baselines every churn model must beat: a recency rule and the BTYD purchase model.

* :class:`RecencyBaseline` -- the rule a shop would use without a model: "no order for a long time"
  means churn; probabilities from an isotonic map recency -> training churn rate.
* :class:`BTYDBaseline` -- P(no purchase in the horizon) of a BTYD purchase model (BG/NBD by default),
  read from the ``p_no_purchase`` column that :func:`~retention.churn.add_btyd_features` computes at
  each row's cutoff from the history before it. The purchase model never sees a churn label.

Both follow the scikit-learn estimator contract: ``__init__`` stores settings only, the data arrives in
``fit`` (a feature frame and the labels), fitted attributes end in ``_``, and ``predict_proba`` takes a
feature frame (extra columns are ignored).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.utils.validation import check_is_fitted

from retention.churn.calibration import ProbabilityCalibrator
from retention.churn.design import binary_target

__all__ = ["RecencyBaseline", "BTYDBaseline", "BGNBDBaseline"]


def _column_values(X: Any, column: str) -> np.ndarray:
    """One column of a feature frame, or the single column of an array, as floats without gaps."""
    if isinstance(X, pd.DataFrame):
        if column not in X.columns:
            hint = " (add it with add_btyd_features)" if column == "p_no_purchase" else ""
            raise ValueError(f"X has no {column!r} column{hint}.")
        values = X[column].to_numpy(dtype=float)
    else:
        values = np.asarray(X, dtype=float)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1:
            raise ValueError(f"X must be a feature DataFrame or a single column of {column}, got shape "
                             f"{values.shape}.")
    if np.isnan(values).any():
        raise ValueError(f"{column} has missing values.")
    return values


def _best_recency_threshold(recency: np.ndarray, y: np.ndarray, criterion: str) -> float:
    """The observed recency ``t`` whose rule ``recency > t`` maximises the criterion (smallest on ties)."""
    values, inverse = np.unique(recency, return_inverse=True)
    positives = np.bincount(inverse, weights=y, minlength=values.size)
    negatives = np.bincount(inverse, weights=1 - y, minlength=values.size)
    n_pos, n_neg = positives.sum(), negatives.sum()
    true_pos = n_pos - np.cumsum(positives)  # churners with recency above t
    true_neg = np.cumsum(negatives)  # stayers with recency at or below t
    if criterion == "balanced_accuracy":
        score = 0.5 * (true_pos / n_pos + true_neg / n_neg)
    elif criterion == "accuracy":
        score = (true_pos + true_neg) / (n_pos + n_neg)
    else:
        raise ValueError(f"criterion must be 'balanced_accuracy' or 'accuracy', got {criterion!r}.")
    return float(values[int(np.argmax(score))])


class RecencyBaseline(ClassifierMixin, BaseEstimator):
    """The rule a shop would use without a model: "no order for a long time" means churn.

    ``fit`` picks the threshold among the observed recencies (rule: churn when ``Recency > threshold_``)
    that maximises the *balanced accuracy* on the training data by default (the mean of the recall of
    churners and of stayers, so the rule is not pushed to "everyone churns" when most customers do),
    and fits an isotonic (non-decreasing) map from recency to the training churn rate, so the baseline
    has calibrated probabilities for ROC-AUC, Brier score and log loss like the models.

    Parameters
    ----------
    criterion : {"balanced_accuracy", "accuracy"}, default "balanced_accuracy"
        What the threshold maximises on the training data. Ties go to the smallest threshold.

    Attributes
    ----------
    threshold_ : float
        Customers with ``Recency > threshold_`` are predicted to churn.
    isotonic_ : sklearn.isotonic.IsotonicRegression
        The map recency -> churn probability (clipped outside the training range).
    classes_ : numpy.ndarray
        ``[0, 1]``.
    """

    def __init__(self, criterion: str = "balanced_accuracy") -> None:
        self.criterion = criterion

    def fit(self, X: Any, y: Any) -> RecencyBaseline:
        """Tune ``threshold_`` and fit the isotonic probability map on the Recency column of ``X``."""
        recency = _column_values(X, "Recency")
        target = binary_target(y)
        if recency.shape[0] != target.shape[0]:
            raise ValueError(f"X has {recency.shape[0]} rows but y has {target.shape[0]}.")
        self.threshold_ = _best_recency_threshold(recency, target, self.criterion)
        self.isotonic_ = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        self.isotonic_.fit(recency, target)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns P(stay), P(churn) from the isotonic map of Recency."""
        check_is_fitted(self, "isotonic_")
        churn = np.clip(self.isotonic_.predict(_column_values(X, "Recency")), 0.0, 1.0)
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: Any) -> np.ndarray:
        """1 (churn) when ``Recency > threshold_``, else 0."""
        check_is_fitted(self, "threshold_")
        return (_column_values(X, "Recency") > self.threshold_).astype(np.int64)


class BTYDBaseline(ClassifierMixin, BaseEstimator):
    """A BTYD purchase model's P(no purchase in the horizon) as the churn probability.

    The purchase model is unsupervised and fitted per cutoff on the history before it (see
    :func:`~retention.churn.add_btyd_features`), so the score is as leakage-free as the supervised
    models. Its probabilities are the model's own; with ``calibration`` they are mapped to the churn
    rates of the training examples (a monotone map: the ranking is unchanged).

    Parameters
    ----------
    column : str, default "p_no_purchase"
        The feature column holding P(no purchase in the horizon).
    calibration : {None, "sigmoid", "isotonic"}, default None
        None keeps the purchase model's probabilities as they are; otherwise a calibrator is fitted on
        the training examples in ``fit`` (the score was not fitted on their labels, so no
        cross-validation is needed).

    Attributes
    ----------
    calibrator_ : ProbabilityCalibrator or None
        The fitted map (None without calibration).
    classes_ : numpy.ndarray
        ``[0, 1]``.
    """

    def __init__(self, column: str = "p_no_purchase", calibration: str | None = None) -> None:
        self.column = column
        self.calibration = calibration

    def fit(self, X: Any, y: Any = None) -> BTYDBaseline:
        """Check the score column of ``X``; fit the calibrator on ``y`` when ``calibration`` is set."""
        scores = _column_values(X, self.column)
        if ((scores < 0) | (scores > 1)).any():
            raise ValueError(f"{self.column} must hold probabilities between 0 and 1.")
        self.calibrator_ = None
        if self.calibration is not None:
            if y is None:
                raise ValueError("calibration needs the labels y in fit.")
            self.calibrator_ = ProbabilityCalibrator(self.calibration).fit(scores, y)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns P(stay), P(churn)."""
        check_is_fitted(self, "classes_")
        scores = _column_values(X, self.column)
        churn = scores if self.calibrator_ is None else self.calibrator_.predict(scores)
        churn = np.clip(churn, 0.0, 1.0)
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: Any) -> np.ndarray:
        """1 (churn) when the churn probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)


BGNBDBaseline = BTYDBaseline
"""The former name. The data now arrives in ``fit`` (a frame with the ``p_no_purchase`` column), not in
``__init__``: build the column with :func:`~retention.churn.add_btyd_features`."""
