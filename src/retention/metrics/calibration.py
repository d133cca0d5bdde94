"""Calibration of churn probabilities: the reliability table and the proper scoring rules (Brier, log loss)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from retention.metrics.inputs import check_labels_scores, rank_bins

__all__ = ["PROPER_SCORES", "reliability_table", "probability_losses", "probability_score"]

PROPER_SCORES: tuple[str, ...] = ("brier", "log_loss")
"""Proper scoring rules of probabilities (lower is better): the expected score is best for the true
probability, so they reward calibration and ranking at once."""


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
    y, p = check_labels_scores(y_true, proba, probabilities=True)
    if strategy == "quantile":
        order, bins = rank_bins(p, n_bins, descending=False)
        y, p = y[order], p[order]
    elif strategy == "uniform":
        rank_bins(p, n_bins, descending=False)  # validates n_bins
        bins = np.minimum((p * n_bins).astype(np.int64), int(n_bins) - 1)
    else:
        raise ValueError(f"strategy must be 'quantile' or 'uniform', got {strategy!r}.")
    frame = pd.DataFrame({"bin": bins + 1, "y": y, "p": p})
    table = frame.groupby("bin", sort=True).agg(
        customers=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"),
        min_proba=("p", "min"), max_proba=("p", "max"))
    return table.reset_index()


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
    y, p = check_labels_scores(y_true, proba, probabilities=True)
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
