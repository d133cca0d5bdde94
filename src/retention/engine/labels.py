"""Churn labels at cutoffs (:meth:`retention.engine.Session.churn_labels`) and the churn training examples.

A customer is labelled at cutoff day ``c`` when they bought on or before ``c`` (any history, whatever
the feature window); the label is 1 (churned) when they make no purchase on the days ``c + 1 .. c + H``.
The examples join the features at each cutoff with its labels, as :meth:`retention.engine.Session.churn_examples`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention.engine.features import days_to_timestamps

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["TARGET", "check_label_window", "churn_labels_at", "finish_labels", "label_examples"]

TARGET = "churned"


def churn_labels_at(days: ibis.Table, cutoffs: ibis.Table, horizon_days: int) -> ibis.Table:
    """``cutoff``, ``CustomerID`` and ``churned`` (int64) for every customer active by each cutoff."""
    t = days.join(cutoffs, days.day <= cutoffs.cutoff + int(horizon_days))
    per = t.group_by(["cutoff", "CustomerID"]).aggregate(
        first_day=t.day.min(), later=(t.day > t.cutoff).cast("int64").sum(),
    )
    active = per.filter(per.first_day <= per.cutoff)
    return active.select("cutoff", "CustomerID", churned=(active.later == 0).cast("int64"))


def check_label_window(cutoff: pd.Timestamp, horizon_days: int, data_end: pd.Timestamp) -> None:
    """The error of :meth:`retention.engine.Session.churn_labels` when the label window runs past the data."""
    window_end = cutoff + pd.Timedelta(days=horizon_days)
    if window_end > data_end:
        raise ValueError(
            f"The {horizon_days}-day label window after the cutoff {cutoff.date()} runs to {window_end.date()}, "
            f"past the data's last day {data_end.date()}: customers who buy after {data_end.date()} would be "
            f"labelled as churned. Use a cutoff on or before "
            f"{(data_end - pd.Timedelta(days=horizon_days)).date()} or a shorter horizon."
        )


def finish_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Engine rows -> ``cutoff`` (timestamp), ``CustomerID`` (string), ``churned`` (int64), sorted."""
    out = frame.assign(cutoff=days_to_timestamps(frame["cutoff"]), CustomerID=frame["CustomerID"].astype("string"),
                       churned=frame["churned"].astype(np.int64))
    return out.sort_values(["cutoff", "CustomerID"], kind="stable").reset_index(drop=True)


def label_examples(features: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Features and labels of the same cutoff and customer (:meth:`retention.engine.Session.churn_examples`).

    Columns ``CustomerID``, ``cutoff``, the features, ``churned``; sorted by cutoff then CustomerID.
    """
    examples = features.merge(labels, on=["cutoff", "CustomerID"], how="inner", validate="one_to_one")
    columns = ["CustomerID", "cutoff", *[c for c in features.columns if c not in ("cutoff", "CustomerID")], TARGET]
    examples = examples[columns].sort_values(["cutoff", "CustomerID"], kind="stable")
    return examples.reset_index(drop=True)
