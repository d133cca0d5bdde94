"""Out-of-time evaluation: every fitted model scored once on the later validation cutoff.

The validation examples (one row per customer active at the validation cutoff, labelled by the window
after it) are never used for fitting. :func:`evaluate` builds the comparison table; :func:`paired_margins`
measures how far one model is ahead of another on a proper scoring rule, with the standard error of the
paired per-customer differences (both models score the same customers, so their noise largely cancels).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from retention.churn.design import TARGET, binary_target
from retention.churn.fitting import predict_churn
from retention.churn.models import BASELINE_NAME
from retention.metrics import (
    LOWER_IS_BETTER,
    PROPER_SCORES,
    classification_report_at,
    confusion_at,
    gains_table,
    precision_recall_points,
    probability_losses,
    probability_score,
    reliability_table,
    roc_points,
)

__all__ = ["Evaluation", "Curves", "evaluate", "curves", "confusion_table", "against_outcomes", "beats_baseline",
           "paired_margins"]


@dataclass(frozen=True)
class Evaluation:
    """The comparison table and what the curves need.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model (index ``model``), columns :data:`retention.metrics.REPORT_METRICS` and
        ``threshold``.
    probabilities : pandas.DataFrame
        One column of churn probabilities per model, index of the validation examples.
    y_true : pandas.Series
        The validation labels, same index.
    """

    table: pd.DataFrame
    probabilities: pd.DataFrame
    y_true: pd.Series = field(repr=False)

    def at_threshold(self, threshold: float) -> Evaluation:
        """The same evaluation with the threshold metrics (accuracy, precision, recall, F1) at ``threshold``.

        Recomputed from the stored probabilities: no model predicts again.
        """
        return Evaluation(table=_table(self.y_true, self.probabilities, threshold), probabilities=self.probabilities,
                          y_true=self.y_true)

    def losses(self, metric: str) -> pd.DataFrame:
        """Per-customer losses of every model on a proper scoring rule (column means = the table's)."""
        return pd.DataFrame({name: probability_losses(self.y_true, self.probabilities[name], metric)
                             for name in self.probabilities.columns}, index=self.probabilities.index)


def evaluate(models: Mapping[str, BaseEstimator], validation_examples: pd.DataFrame,
             threshold: float = 0.5) -> Evaluation:
    """Score every fitted model on the out-of-time validation examples.

    Parameters
    ----------
    models : mapping of str to fitted estimator
        E.g. the output of :func:`~retention.churn.fit_models` (anything with ``predict_proba`` on a
        feature frame).
    validation_examples : pandas.DataFrame
        Labelled examples at the validation cutoff, never used for fitting (with the BTYD columns when
        a model needs them).
    threshold : float, default 0.5
        Decision threshold for accuracy, precision, recall, F1.

    Returns
    -------
    Evaluation
        The table (one row per model, in the order of ``models``) and the probabilities.
    """
    if not models:
        raise ValueError("models is empty.")
    y_true = pd.Series(binary_target(validation_examples[TARGET]), index=validation_examples.index, name=TARGET)
    probabilities = pd.DataFrame({name: predict_churn(model, validation_examples) for name, model in models.items()})
    return Evaluation(table=_table(y_true, probabilities, threshold), probabilities=probabilities, y_true=y_true)


def _table(y_true: pd.Series, probabilities: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """One row of :func:`~retention.metrics.classification_report_at` per column of ``probabilities``."""
    rows = {name: classification_report_at(y_true, probabilities[name], threshold) for name in probabilities.columns}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["threshold"] = float(threshold)
    table.index.name = "model"
    return table


def beats_baseline(table: pd.DataFrame, metric: str = "pr_auc", baseline: str = BASELINE_NAME,
                   min_gain: float = 0.0) -> pd.DataFrame:
    """Whether each model does better than the baseline on one metric of the comparison table.

    Parameters
    ----------
    table : pandas.DataFrame
        ``Evaluation.table``.
    metric : str, default "pr_auc"
        Column to compare; higher is better except for ``brier`` and ``log_loss`` (lower is better).
    baseline : str, default BASELINE_NAME
        Row of the baseline.
    min_gain : float, default 0.0
        A model beats the baseline only when it is better by more than this.

    Returns
    -------
    pandas.DataFrame
        One row per other model: ``metric``, ``model_value``, ``baseline_value``, ``gain`` (positive =
        better than the baseline) and ``beats`` (bool).
    """
    if baseline not in table.index:
        raise ValueError(f"The table has no row {baseline!r}; rows are {list(table.index)}.")
    if metric not in table.columns:
        raise ValueError(f"The table has no column {metric!r}; columns are {list(table.columns)}.")
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    others = table.drop(index=baseline)
    base_value = float(table.loc[baseline, metric])
    gain = sign * (others[metric].astype(float) - base_value)
    return pd.DataFrame({"metric": metric, "model_value": others[metric].astype(float),
                         "baseline_value": base_value, "gain": gain, "beats": gain > min_gain})


def paired_margins(evaluation: Evaluation, model: str, others: Sequence[str], metric: str = "brier") -> pd.DataFrame:
    """How far ``model`` is ahead of each of ``others`` on a proper scoring rule, with its uncertainty.

    Parameters
    ----------
    evaluation : Evaluation
        The out-of-time evaluation holding every model.
    model : str
        The model compared (e.g. the shipped one).
    others : sequence of str
        The models it is compared with (e.g. the baselines).
    metric : {"brier", "log_loss"}, default "brier"
        Lower is better.

    Returns
    -------
    pandas.DataFrame
        One row per other model (index ``compared_with``): ``metric``, ``model_value``, ``other_value``,
        ``margin`` (other - model: positive = ``model`` is better), ``margin_se`` (standard error of the
        mean paired per-customer difference) and ``at_least_as_good`` (``margin >= 0``).
    """
    if metric not in PROPER_SCORES:
        raise ValueError(f"metric must be one of {PROPER_SCORES}, got {metric!r}.")
    unknown = [m for m in (model, *others) if m not in evaluation.probabilities.columns]
    if unknown:
        raise ValueError(f"The evaluation has no model(s) {unknown}.")
    losses = evaluation.losses(metric)
    rows = []
    for other in others:
        difference = (losses[other] - losses[model]).to_numpy()
        se = float(difference.std(ddof=1) / np.sqrt(difference.size)) if difference.size > 1 else float("nan")
        rows.append({"compared_with": other, "metric": metric, "model_value": float(losses[model].mean()),
                     "other_value": float(losses[other].mean()), "margin": float(difference.mean()),
                     "margin_se": se, "at_least_as_good": bool(difference.mean() >= 0)})
    columns = ["compared_with", "metric", "model_value", "other_value", "margin", "margin_se", "at_least_as_good"]
    return pd.DataFrame(rows, columns=columns).set_index("compared_with")


@dataclass(frozen=True)
class Curves:
    """What the ROC, precision-recall, calibration and gains charts draw, one block of rows per model.

    Attributes
    ----------
    roc : pandas.DataFrame
        ``model`` and the columns of :func:`retention.metrics.roc_points`.
    precision_recall : pandas.DataFrame
        ``model`` and the columns of :func:`retention.metrics.precision_recall_points`.
    calibration : pandas.DataFrame
        ``model`` and the columns of :func:`retention.metrics.reliability_table` (equal-count bins).
    gains : pandas.DataFrame
        ``model`` and the columns of :func:`retention.metrics.gains_table`.
    churn_rate : float
        The share of the customers who churned (the precision of flagging everyone).
    """

    roc: pd.DataFrame
    precision_recall: pd.DataFrame
    calibration: pd.DataFrame
    gains: pd.DataFrame
    churn_rate: float


def curves(evaluation: Evaluation, models: Sequence[str] | None = None, *, n_bins: int = 10,
           max_points: int = 200) -> Curves:
    """The chart data of ``models`` (default: every model of the evaluation) on the validation customers."""
    names = list(evaluation.probabilities.columns if models is None else models)
    y = evaluation.y_true

    def stack(make) -> pd.DataFrame:  # noqa: ANN001
        return pd.concat([make(evaluation.probabilities[name]).assign(model=name) for name in names],
                         ignore_index=True).pipe(lambda t: t[["model", *[c for c in t.columns if c != "model"]]])

    return Curves(roc=stack(lambda p: roc_points(y, p, max_points)),
                  precision_recall=stack(lambda p: precision_recall_points(y, p, max_points)),
                  calibration=stack(lambda p: reliability_table(y, p, n_bins)),
                  gains=stack(lambda p: gains_table(y, p, n_bins)), churn_rate=float(y.mean()))


def confusion_table(evaluation: Evaluation, model: str, threshold: float) -> pd.DataFrame:
    """:func:`retention.metrics.confusion_at` of one model on the validation customers."""
    return confusion_at(evaluation.y_true, evaluation.probabilities[model], threshold)


def against_outcomes(y_true: Any, probabilities: pd.DataFrame) -> pd.DataFrame:
    """How probabilities fared against what happened (e.g. live scores against the generator's truth).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        1 = made no purchase in the horizon, 0 = bought.
    probabilities : pandas.DataFrame
        One column of churn probabilities per model, rows aligned with ``y_true``.

    Returns
    -------
    pandas.DataFrame
        One row per model (index ``model``, in column order): ``roc_auc``, ``brier``, ``mean_predicted`` and
        ``observed_rate`` (the share that churned), ``drift`` (mean predicted - observed).
    """
    y = binary_target(y_true)
    rows = {}
    for name in probabilities.columns:
        p = probabilities[name].to_numpy(dtype=float)
        report = classification_report_at(y, p, 0.5)
        rows[name] = {"roc_auc": report["roc_auc"], "brier": probability_score(y, p, "brier"),
                      "mean_predicted": float(p.mean()), "observed_rate": float(y.mean()),
                      "drift": float(p.mean() - y.mean())}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table
