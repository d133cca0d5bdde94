"""Model-agnostic evaluation of churn scores: metrics at a threshold, gains, reliability and costs.

Every function takes the true labels (1 = churned, 0 = stayed) and a score or probability per
customer, so the same code evaluates the recency baseline, the machine-learning models and any
baseline added later.

Conventions
-----------
* A customer is *predicted* to churn when ``proba >= threshold``.
* Rankings (gains table, top decile) sort by score from high to low with a *stable* sort on
  ``-score``: tied customers keep their input order, so the same input always gives the same table.
  Bin ``k`` (1-based) of ``n_bins`` holds the customers at positions ``r`` (0-based, after sorting)
  with ``floor(r * n_bins / n) == k - 1``; bin sizes differ by at most one.
* Metrics that need both classes (ROC-AUC, PR-AUC) are NaN when only one class is present.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

__all__ = [
    "REPORT_METRICS",
    "classification_report_at",
    "gains_table",
    "reliability_table",
    "roc_points",
    "precision_recall_points",
    "cost_optimal_threshold",
    "expected_cost",
    "confusion_at",
    "PROPER_SCORES",
    "LOWER_IS_BETTER",
    "probability_losses",
    "probability_score",
    "cheapest_threshold",
]

REPORT_METRICS: tuple[str, ...] = (
    "roc_auc", "pr_auc", "brier", "log_loss", "accuracy", "precision", "recall", "f1", "positive_rate",
    "n", "base_rate", "lift_top_decile",
)
"""The keys of :func:`classification_report_at`, in order."""

PROPER_SCORES: tuple[str, ...] = ("brier", "log_loss")
"""Proper scoring rules of probabilities (lower is better): the expected score is best for the true
probability, so they reward calibration and ranking at once."""

LOWER_IS_BETTER: frozenset[str] = frozenset({"brier", "log_loss"})
"""Columns of :func:`classification_report_at` where a smaller value is better."""


def _check_labels_scores(y_true: Any, score: Any, *, probabilities: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return ``y_true`` as int 0/1 and ``score`` as float arrays, after checking them.

    Raises
    ------
    ValueError
        If the lengths differ, the input is empty, labels are not 0/1, scores are missing or, when
        ``probabilities`` is True, outside [0, 1].
    """
    y = np.asarray(y_true)
    s = np.asarray(score, dtype=float)
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError(f"y_true and scores must be 1-D, got shapes {y.shape} and {s.shape}.")
    if y.shape[0] != s.shape[0]:
        raise ValueError(f"y_true has {y.shape[0]} values but the scores have {s.shape[0]}.")
    if y.shape[0] == 0:
        raise ValueError("y_true and scores are empty; there is nothing to evaluate.")
    if pd.isna(y).any() or not np.isin(y, [0, 1]).all():
        raise ValueError(f"y_true must hold only 0 (stayed) and 1 (churned); found {np.unique(y)[:5]}.")
    if np.isnan(s).any():
        raise ValueError(f"The scores have {int(np.isnan(s).sum())} missing value(s).")
    if probabilities and ((s < 0) | (s > 1)).any():
        raise ValueError("Probabilities must lie between 0 and 1; some are outside.")
    return y.astype(np.int64), s


def _check_threshold(threshold: float) -> float:
    """Return ``threshold`` as a float after checking it is a number between 0 and 1."""
    value = float(threshold)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}.")
    return value


def _rank_bins(score: np.ndarray, n_bins: int, *, descending: bool) -> tuple[np.ndarray, np.ndarray]:
    """Stable ranking order and the 0-based equal-count bin of each ranked position.

    Returns
    -------
    order : numpy.ndarray
        Indices that sort ``score`` (high to low when ``descending``), ties in input order.
    bins : numpy.ndarray
        ``floor(r * n_bins / n)`` for ranked position ``r``.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive whole number, got {n_bins!r}.")
    order = np.argsort(-score if descending else score, kind="stable")
    n = score.shape[0]
    bins = (np.arange(n) * int(n_bins)) // n
    return order, bins


def _nan_if_one_class(metric: Any, y: np.ndarray, s: np.ndarray) -> float:
    """``metric(y, s)``, or NaN when ``y`` holds a single class."""
    if np.unique(y).size < 2:
        return float("nan")
    return float(metric(y, s))


def classification_report_at(y_true: Any, proba: Any, threshold: float) -> dict[str, float]:
    """Ranking, probability and decision metrics of churn probabilities at one threshold.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = churned, 0 = stayed.
    proba : array-like of shape (n,)
        Predicted probability of churn, between 0 and 1.
    threshold : float
        A customer is predicted to churn when ``proba >= threshold``.

    Returns
    -------
    dict
        Keys :data:`REPORT_METRICS`: ``roc_auc``, ``pr_auc`` (average precision), ``brier``,
        ``log_loss`` (natural log, probabilities clipped by scikit-learn), ``accuracy``, ``precision``,
        ``recall``, ``f1`` (0 when undefined), ``positive_rate`` (share predicted to churn), ``n``,
        ``base_rate`` (share that churned) and ``lift_top_decile`` (churn rate among the 10% with the
        highest probability divided by the base rate; NaN when nobody churned).
    """
    y, p = _check_labels_scores(y_true, proba, probabilities=True)
    cut = _check_threshold(threshold)
    predicted = (p >= cut).astype(np.int64)
    base_rate = float(y.mean())
    order, bins = _rank_bins(p, 10, descending=True)
    top_rate = float(y[order[bins == 0]].mean())
    return {
        "roc_auc": _nan_if_one_class(roc_auc_score, y, p),
        "pr_auc": _nan_if_one_class(average_precision_score, y, p),
        "brier": float(brier_score_loss(y, p, pos_label=1)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "accuracy": float(accuracy_score(y, predicted)),
        "precision": float(precision_score(y, predicted, zero_division=0)),
        "recall": float(recall_score(y, predicted, zero_division=0)),
        "f1": float(f1_score(y, predicted, zero_division=0)),
        "positive_rate": float(predicted.mean()),
        "n": int(y.shape[0]),
        "base_rate": base_rate,
        "lift_top_decile": top_rate / base_rate if base_rate > 0 else float("nan"),
    }


def gains_table(y_true: Any, score: Any, n_bins: int = 10) -> pd.DataFrame:
    """Cumulative gains and lift per score decile (or other equal-count bins), best scores first.

    Customers are sorted by ``score`` from high to low (stable sort on ``-score``: ties keep their
    input order) and cut into ``n_bins`` bins whose sizes differ by at most one.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = churned, 0 = stayed.
    score : array-like of shape (n,)
        Any score where higher means more likely to churn (probabilities need not be calibrated).
    n_bins : int, default 10
        Number of bins; at most ``n`` are non-empty, empty bins are left out.

    Returns
    -------
    pandas.DataFrame
        One row per bin with ``decile`` (1 = highest scores), ``customers``, ``positives``,
        ``positive_rate``, ``cum_customers_share`` (share of all customers in bins 1..k),
        ``cum_positives_share`` (the gains: share of all churners captured in bins 1..k), ``lift``
        (bin churn rate / overall churn rate), ``cum_lift`` (cum_positives_share / cum_customers_share),
        ``min_score`` and ``max_score``. Lifts are NaN when nobody churned.
    """
    y, s = _check_labels_scores(y_true, score, probabilities=False)
    order, bins = _rank_bins(s, n_bins, descending=True)
    ranked = pd.DataFrame({"decile": bins + 1, "y": y[order], "score": s[order]})
    table = ranked.groupby("decile", sort=True).agg(
        customers=("y", "size"), positives=("y", "sum"), min_score=("score", "min"), max_score=("score", "max"))
    table = table.reset_index()
    n, total_pos = len(y), int(y.sum())
    base_rate = total_pos / n
    table["positive_rate"] = table["positives"] / table["customers"]
    table["cum_customers_share"] = table["customers"].cumsum() / n
    table["cum_positives_share"] = table["positives"].cumsum() / total_pos if total_pos else np.nan
    table["lift"] = table["positive_rate"] / base_rate if total_pos else np.nan
    table["cum_lift"] = table["cum_positives_share"] / table["cum_customers_share"]
    columns = ["decile", "customers", "positives", "positive_rate", "cum_customers_share", "cum_positives_share",
               "lift", "cum_lift", "min_score", "max_score"]
    return table[columns]


def reliability_table(y_true: Any, proba: Any, n_bins: int = 10, *, strategy: str = "quantile") -> pd.DataFrame:
    """Mean predicted probability against the observed churn rate per bin, for a calibration plot.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = churned, 0 = stayed.
    proba : array-like of shape (n,)
        Predicted probability of churn, between 0 and 1.
    n_bins : int, default 10
        Number of bins.
    strategy : {"quantile", "uniform"}, default "quantile"
        ``"quantile"``: equal-count bins by rank (stable sort on ``proba`` from low to high, sizes
        differing by at most one), so every point on the plot rests on the same number of customers.
        ``"uniform"``: equal-width bins on [0, 1] (``[0, 1/n_bins)``, ..., last bin closed at 1);
        empty bins are left out.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin, lowest probabilities first: ``bin`` (1-based), ``customers``,
        ``mean_predicted``, ``observed_rate``, ``min_proba``, ``max_proba``. ``customers`` sums to n,
        ``customers * observed_rate`` to the number of churners and ``customers * mean_predicted`` to
        the sum of the probabilities. A calibrated model has ``mean_predicted ~ observed_rate``.
    """
    y, p = _check_labels_scores(y_true, proba, probabilities=True)
    if strategy == "quantile":
        order, bins = _rank_bins(p, n_bins, descending=False)
        y, p = y[order], p[order]
    elif strategy == "uniform":
        _rank_bins(p, n_bins, descending=False)  # validates n_bins
        bins = np.minimum((p * n_bins).astype(np.int64), int(n_bins) - 1)
    else:
        raise ValueError(f"strategy must be 'quantile' or 'uniform', got {strategy!r}.")
    frame = pd.DataFrame({"bin": bins + 1, "y": y, "p": p})
    table = frame.groupby("bin", sort=True).agg(
        customers=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"),
        min_proba=("p", "min"), max_proba=("p", "max"))
    return table.reset_index()


def _thin(n: int, max_points: int) -> np.ndarray:
    """At most ``max_points`` evenly spaced positions of ``0..n-1``, always the first and the last."""
    if isinstance(max_points, bool) or not isinstance(max_points, int | np.integer) or max_points < 2:
        raise ValueError(f"max_points must be a whole number >= 2, got {max_points!r}.")
    return np.unique(np.linspace(0, n - 1, min(n, int(max_points))).round().astype(np.int64))


def roc_points(y_true: Any, score: Any, max_points: int = 200) -> pd.DataFrame:
    """The ROC curve for a chart: share of stayers flagged against share of churners caught, per threshold.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = churned, 0 = stayed (both must occur).
    score : array-like of shape (n,)
        Any score where higher means more likely to churn.
    max_points : int, default 200
        At most this many points, evenly spaced along the curve (first and last kept), so a chart stays
        small at any number of customers.

    Returns
    -------
    pandas.DataFrame
        ``false_positive_rate``, ``true_positive_rate`` and ``threshold`` (flag when ``score >= threshold``;
        the first point, nobody flagged, has ``inf``), from (0, 0) to (1, 1).
    """
    y, s = _check_labels_scores(y_true, score, probabilities=False)
    if np.unique(y).size < 2:
        raise ValueError("A ROC curve needs churners and stayers.")
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=True)
    keep = _thin(fpr.size, max_points)
    return pd.DataFrame({"false_positive_rate": fpr[keep], "true_positive_rate": tpr[keep],
                         "threshold": thresholds[keep]})


def precision_recall_points(y_true: Any, score: Any, max_points: int = 200) -> pd.DataFrame:
    """The precision-recall curve for a chart: share of churners caught against the share of the flagged who churn.

    Returns
    -------
    pandas.DataFrame
        ``recall``, ``precision`` and ``threshold``, by increasing recall (from the riskiest customer alone to
        everyone flagged, where precision is the churn rate); at most ``max_points`` rows as in
        :func:`roc_points`.
    """
    y, s = _check_labels_scores(y_true, score, probabilities=False)
    if np.unique(y).size < 2:
        raise ValueError("A precision-recall curve needs churners and stayers.")
    precision, recall, thresholds = precision_recall_curve(y, s, drop_intermediate=True)
    # scikit-learn ends at (recall 0, precision 1) without a threshold: drop it, turn to increasing recall
    precision, recall, thresholds = precision[:-1][::-1], recall[:-1][::-1], thresholds[::-1]
    keep = _thin(recall.size, max_points)
    return pd.DataFrame({"recall": recall[keep], "precision": precision[keep], "threshold": thresholds[keep]})


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
    y, p = _check_labels_scores(y_true, proba, probabilities=True)
    cut = _check_threshold(threshold)
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
    y, p = _check_labels_scores(y_true, proba, probabilities=True)
    predicted = p >= _check_threshold(threshold)
    counts = [[int(((y == actual) & (predicted == guess)).sum()) for guess in (False, True)] for actual in (0, 1)]
    return pd.DataFrame(counts, index=pd.Index(["Actually stayed", "Actually churned"], name="actual"),
                        columns=pd.Index(["Predicted to stay", "Predicted to churn"], name="predicted"))


def probability_losses(y_true: Any, proba: Any, metric: str) -> np.ndarray:
    """Each customer's contribution to a proper scoring rule (their mean is the score).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = churned, 0 = stayed.
    proba : array-like of shape (n,)
        Predicted probability of churn.
    metric : {"brier", "log_loss"}
        ``"brier"``: ``(p - y)**2``; ``"log_loss"``: ``-log(p)`` for churners and ``-log(1 - p)`` for
        stayers, with ``p`` clipped to ``[eps, 1 - eps]`` (machine epsilon, as scikit-learn does).

    Returns
    -------
    numpy.ndarray
        One loss per customer, in input order.
    """
    y, p = _check_labels_scores(y_true, proba, probabilities=True)
    if metric == "brier":
        return (p - y) ** 2
    if metric == "log_loss":
        eps = np.finfo(float).eps
        clipped = np.clip(p, eps, 1.0 - eps)
        return -np.where(y == 1, np.log(clipped), np.log1p(-clipped))
    raise ValueError(f"metric must be one of {PROPER_SCORES}, got {metric!r}.")


def probability_score(y_true: Any, proba: Any, metric: str) -> float:
    """The mean of :func:`probability_losses`: the Brier score or the log loss (lower is better)."""
    return float(probability_losses(y_true, proba, metric).mean())


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
    y, p = _check_labels_scores(y_true, proba, probabilities=True)
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
