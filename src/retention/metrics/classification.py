"""Ranking and classification metrics of churn scores: the report at a threshold, the gains table, ROC and
precision-recall curves."""

from __future__ import annotations

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

from retention.metrics.inputs import check_labels_scores, check_threshold, rank_bins

__all__ = ["REPORT_METRICS", "LOWER_IS_BETTER", "classification_report_at", "gains_table", "roc_points",
           "precision_recall_points"]

REPORT_METRICS: tuple[str, ...] = (
    "roc_auc", "pr_auc", "brier", "log_loss", "accuracy", "precision", "recall", "f1", "positive_rate",
    "n", "base_rate", "lift_top_decile",
)
"""The keys of :func:`classification_report_at`, in order."""

LOWER_IS_BETTER: frozenset[str] = frozenset({"brier", "log_loss"})
"""Columns of :func:`classification_report_at` where a smaller value is better."""


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
    y, p = check_labels_scores(y_true, proba, probabilities=True)
    cut = check_threshold(threshold)
    predicted = (p >= cut).astype(np.int64)
    base_rate = float(y.mean())
    order, bins = rank_bins(p, 10, descending=True)
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
    y, s = check_labels_scores(y_true, score, probabilities=False)
    order, bins = rank_bins(s, n_bins, descending=True)
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
    y, s = check_labels_scores(y_true, score, probabilities=False)
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
    y, s = check_labels_scores(y_true, score, probabilities=False)
    if np.unique(y).size < 2:
        raise ValueError("A precision-recall curve needs churners and stayers.")
    precision, recall, thresholds = precision_recall_curve(y, s, drop_intermediate=True)
    # scikit-learn ends at (recall 0, precision 1) without a threshold: drop it, turn to increasing recall
    precision, recall, thresholds = precision[:-1][::-1], recall[:-1][::-1], thresholds[::-1]
    keep = _thin(recall.size, max_points)
    return pd.DataFrame({"recall": recall[keep], "precision": precision[keep], "threshold": thresholds[keep]})
