"""The cost of acting on churn probabilities: the Bayes-optimal threshold, the expected cost at a threshold, the
confusion matrix and the cheapest threshold on a sample."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from retention.metrics.inputs import check_labels_scores, check_threshold

__all__ = ["cost_optimal_threshold", "expected_cost", "confusion_at", "cheapest_threshold"]


def cost_optimal_threshold(cost_missed_churner: float, cost_wasted_offer: float) -> float:
    """The probability above which contacting a customer costs less, in expectation, than not.

    With a missed churner costing ``c_fn`` and an offer sent to a customer who would have stayed
    costing ``c_fp``, contacting a customer whose churn probability is ``p`` is worth it when
    ``p * c_fn > (1 - p) * c_fp``, i.e. when ``p > c_fp / (c_fp + c_fn)``. This is the Bayes-optimal
    decision rule *for calibrated probabilities*; for uncalibrated scores the threshold has no such
    meaning.

    Parameters
    ----------
    cost_missed_churner : float
        ``c_fn``, the cost of not contacting a customer who then churns (e.g. lost margin), >= 0.
    cost_wasted_offer : float
        ``c_fp``, the cost of an offer to a customer who would have stayed anyway, >= 0.

    Returns
    -------
    float
        ``c_fp / (c_fp + c_fn)``, between 0 and 1.
    """
    c_fn, c_fp = float(cost_missed_churner), float(cost_wasted_offer)
    if not (math.isfinite(c_fn) and math.isfinite(c_fp)) or c_fn < 0 or c_fp < 0 or c_fn + c_fp == 0:
        raise ValueError(f"Costs must be finite, not negative and not both zero; got cost_missed_churner={c_fn} "
                         f"and cost_wasted_offer={c_fp}.")
    return c_fp / (c_fp + c_fn)


def expected_cost(y_true: Any, proba: Any, threshold: float, c_fn: float, c_fp: float) -> float:
    """Total misclassification cost of acting on ``proba >= threshold``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = churned, 0 = stayed.
    proba : array-like of shape (n,)
        Predicted probability of churn.
    threshold : float
        Customers with ``proba >= threshold`` are contacted (predicted to churn).
    c_fn : float
        Cost of each missed churner (churned, not contacted), >= 0.
    c_fp : float
        Cost of each wasted offer (contacted, stayed), >= 0.

    Returns
    -------
    float
        ``c_fn * false negatives + c_fp * false positives``; divide by ``n`` for the cost per customer.
        Correct decisions cost nothing in this simple model.
    """
    y, p = check_labels_scores(y_true, proba, probabilities=True)
    cut = check_threshold(threshold)
    if c_fn < 0 or c_fp < 0:
        raise ValueError(f"Costs must not be negative; got c_fn={c_fn} and c_fp={c_fp}.")
    predicted = p >= cut
    false_negatives = int(((y == 1) & ~predicted).sum())
    false_positives = int(((y == 0) & predicted).sum())
    return float(c_fn * false_negatives + c_fp * false_positives)


def confusion_at(y_true: Any, proba: Any, threshold: float) -> pd.DataFrame:
    """The 2 x 2 confusion matrix at ``threshold`` with readable labels.

    Returns
    -------
    pandas.DataFrame
        Rows ``"Actually stayed"``, ``"Actually churned"``; columns ``"Predicted to stay"``,
        ``"Predicted to churn"``; cells are customer counts (they add up to n).
    """
    y, p = check_labels_scores(y_true, proba, probabilities=True)
    predicted = p >= check_threshold(threshold)
    counts = [[int(((y == actual) & (predicted == guess)).sum()) for guess in (False, True)] for actual in (0, 1)]
    return pd.DataFrame(counts, index=pd.Index(["Actually stayed", "Actually churned"], name="actual"),
                        columns=pd.Index(["Predicted to stay", "Predicted to churn"], name="predicted"))


def cheapest_threshold(y_true: Any, proba: Any, c_fn: float, c_fp: float) -> tuple[float, float]:
    """The threshold that makes acting on ``proba >= threshold`` cheapest on these customers.

    Every distinct probability is tried as the lowest one contacted (and "contact nobody"); the cost
    is :func:`expected_cost`. The threshold returned lies midway between the lowest contacted and the
    highest spared probability, so it does not sit on a customer of this sample. Ties go to the
    highest threshold (fewer contacts for the same cost).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = churned, 0 = stayed.
    proba : array-like of shape (n,)
        Churn probabilities (e.g. out-of-fold predictions of the training customers).
    c_fn, c_fp : float
        Cost of a missed churner and of a wasted offer, >= 0.

    Returns
    -------
    (float, float)
        The threshold and the total cost at it on these customers.
    """
    y, p = check_labels_scores(y_true, proba, probabilities=True)
    cost_missed, cost_wasted = float(c_fn), float(c_fp)
    if cost_missed < 0 or cost_wasted < 0:
        raise ValueError(f"Costs must not be negative; got c_fn={c_fn} and c_fp={c_fp}.")
    values, inverse = np.unique(p, return_inverse=True)  # ascending
    churners = np.bincount(inverse, weights=y, minlength=values.size)[::-1]
    stayers = np.bincount(inverse, weights=1 - y, minlength=values.size)[::-1]
    # k = number of distinct values contacted, highest first; k = 0 contacts nobody
    missed = y.sum() - np.r_[0.0, np.cumsum(churners)]
    wasted = np.r_[0.0, np.cumsum(stayers)]
    cost = cost_missed * missed + cost_wasted * wasted
    k = int(np.flatnonzero(cost == cost.min())[0])
    descending = values[::-1]
    if k == 0:
        threshold = min(1.0, float(np.nextafter(descending[0], np.inf)))
    elif k == values.size:
        threshold = float(descending[-1]) / 2.0
    else:
        threshold = float(descending[k - 1] + descending[k]) / 2.0
    return threshold, float(cost[k])
