"""The checks every churn metric runs on its input, and the stable equal-count ranking the tables share.

See :mod:`retention.metrics` for the conventions (labels 0/1, stable sort on ``-score``, bin sizes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["check_labels_scores", "check_threshold", "rank_bins"]


def check_labels_scores(y_true: Any, score: Any, *, probabilities: bool) -> tuple[np.ndarray, np.ndarray]:
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


def check_threshold(threshold: float) -> float:
    """Return ``threshold`` as a float after checking it is a number between 0 and 1."""
    value = float(threshold)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}.")
    return value


def rank_bins(score: np.ndarray, n_bins: int, *, descending: bool) -> tuple[np.ndarray, np.ndarray]:
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
