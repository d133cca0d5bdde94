"""Out-of-sample evaluation of uplift scores: cross-fitting, Qini and uplift curves, areas against random.

Cross-fitting (:func:`cross_fit_uplift`): the test is split into folds stratified by arm and outcome;
each fold's customers are scored by a learner fitted on the other folds, so every score is out of sample.

Curves (:func:`qini_curve`), customers ranked by score from highest, ``k`` = customers targeted, with
``R_t(k)``, ``R_c(k)`` buyers and ``N_t(k)``, ``N_c(k)`` customers of each arm among them:

* Qini (Radcliffe 2007, "Using control groups to target on predicted lift"):
  ``Q(k) = R_t(k) - R_c(k) N_t(k) / N_c(k)``, the incremental buyers among the top ``k``, in the
  treated arm's scale;
* uplift curve: ``U(k) = (R_t(k) / N_t(k) - R_c(k) / N_c(k)) * k``, the incremental buyers had all top
  ``k`` been treated (0 while an arm is still empty);
* random targeting: the straight line from 0 to the curve's end.

The area between a curve and its random line over the share targeted (0..1) is the Qini area (AUUC for
the uplift curve); a model beats random when it is positive. With the truth (generated data) the same is
computed on the true uplift (:func:`true_gain_curve`): the expected incremental buyers of each ranking,
without sampling noise. The oracle ranks by the true uplift itself; a learner's share of the oracle's
area says how much of the possible targeting gain it finds.

:func:`compare_learners` puts it together: each learner cross-fitted on several random fold splits, its
Qini area averaged over the splits (one split's area is noisy in a test of a few hundred customers), and the
learner with the largest mean area chosen -- by the data, not by default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import StratifiedKFold

from retention.experiments.learners import LEARNERS, as_treatment, make_learner

__all__ = ["cross_fit_uplift", "qini_curve", "true_gain_curve", "curve_area", "qini_summary", "LearnerComparison",
           "compare_learners", "curve_points"]


def cross_fit_uplift(learner: BaseEstimator, X: object, treatment: object, y: object, *, n_folds: int = 5,
                     seed: int = 0) -> np.ndarray:
    """Out-of-fold predicted uplift for every customer (folds stratified by arm and outcome; a DataFrame ``X``
    reaches the learner as a DataFrame, with its column names)."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
    treated = as_treatment(treatment)
    outcome = np.asarray(y, dtype=float).ravel()
    strata = 2 * treated.astype(int) + outcome.astype(int)
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    predicted = np.full(len(frame), np.nan)
    for train, held_out in folds.split(frame, strata):
        model = clone(learner).fit(frame.iloc[train], treated[train], outcome[train])
        predicted[held_out] = model.predict_uplift(frame.iloc[held_out])
    return predicted


def _order(score: np.ndarray) -> np.ndarray:
    """Highest score first; ties keep the input order (deterministic)."""
    return np.argsort(-np.asarray(score, dtype=float), kind="stable")


def qini_curve(y: object, treatment: object, score: object) -> pd.DataFrame:
    """Qini and uplift curves of a ranking by ``score`` (row ``k`` = top ``k`` customers, from 0)."""
    outcome = np.asarray(y, dtype=float).ravel()
    treated = as_treatment(treatment)
    order = _order(np.asarray(score))
    t, yy = treated[order], outcome[order]
    n_t = np.concatenate([[0], np.cumsum(t)])
    n_c = np.concatenate([[0], np.cumsum(~t)])
    r_t = np.concatenate([[0], np.cumsum(yy * t)])
    r_c = np.concatenate([[0], np.cumsum(yy * ~t)])
    k = np.arange(len(order) + 1)
    scale = np.divide(n_t, n_c, out=np.zeros(len(k)), where=n_c > 0)
    qini = r_t - r_c * scale
    rate_t = np.divide(r_t, n_t, out=np.zeros(len(k)), where=n_t > 0)
    rate_c = np.divide(r_c, n_c, out=np.zeros(len(k)), where=n_c > 0)
    uplift = np.where((n_t > 0) & (n_c > 0), (rate_t - rate_c) * k, 0.0)
    share = k / max(len(order), 1)
    return pd.DataFrame({"targeted": k, "share": share, "qini": qini, "qini_random": qini[-1] * share,
                         "uplift": uplift, "uplift_random": uplift[-1] * share})


def true_gain_curve(true_uplift: object, score: object) -> pd.DataFrame:
    """Expected incremental buyers of the top ``k`` by ``score``, from the true uplift (no noise)."""
    truth = np.asarray(true_uplift, dtype=float)
    gain = np.concatenate([[0.0], np.cumsum(truth[_order(np.asarray(score))])])
    share = np.arange(len(gain)) / max(len(truth), 1)
    return pd.DataFrame({"targeted": np.arange(len(gain)), "share": share, "gain": gain,
                         "gain_random": gain[-1] * share})


def curve_area(curve: pd.DataFrame, column: str) -> float:
    """Area between ``column`` and its random line over the share targeted (trapezoids)."""
    above = (curve[column] - curve[f"{column}_random"]).to_numpy()
    share = curve["share"].to_numpy()
    return float(np.sum((above[1:] + above[:-1]) / 2 * np.diff(share)))


def qini_summary(y: object, treatment: object, scores: dict[str, object],
                 true_uplift: object | None = None) -> pd.DataFrame:
    """Qini area, AUUC and (with the truth) true-gain area of each named score, plus the oracle's.

    Returns one row per score (``oracle`` first when ``true_uplift`` is given) with ``qini_area``,
    ``auuc``, and with the truth ``true_gain_area``, ``share_of_oracle_qini`` and
    ``share_of_oracle_true_gain``.
    """
    named = dict(scores)
    if true_uplift is not None:
        named = {"oracle": true_uplift, **named}
    rows = []
    for name, score in named.items():
        curve = qini_curve(y, treatment, score)
        row = {"model": name, "qini_area": curve_area(curve, "qini"), "auuc": curve_area(curve, "uplift")}
        if true_uplift is not None:
            row["true_gain_area"] = curve_area(true_gain_curve(true_uplift, score), "gain")
        rows.append(row)
    table = pd.DataFrame(rows).set_index("model")
    if true_uplift is not None:
        table["share_of_oracle_qini"] = table["qini_area"] / table.loc["oracle", "qini_area"]
        table["share_of_oracle_true_gain"] = table["true_gain_area"] / table.loc["oracle", "true_gain_area"]
    return table


def curve_points(curve: pd.DataFrame, column: str, n_points: int = 101) -> pd.DataFrame:
    """``column`` and its random line at ``n_points`` evenly spaced shares targeted (for a chart)."""
    n = len(curve) - 1
    rows = np.unique(np.round(np.linspace(0, n, n_points)).astype(int))
    picked = curve.iloc[rows]
    return pd.DataFrame({"share": picked["share"].to_numpy(), "targeted": picked["targeted"].to_numpy(),
                         "value": picked[column].to_numpy(), "random": picked[f"{column}_random"].to_numpy()})


@dataclass(frozen=True)
class LearnerComparison:
    """Learners cross-fitted on a randomized test, compared by Qini area, and the one chosen.

    Attributes
    ----------
    scores : pandas.DataFrame
        Out-of-fold predicted uplift of every test customer (rows, in the input order), one column per
        learner: the mean over the fold splits.
    table : pandas.DataFrame
        One row per learner (and ``oracle`` and the references first, with the truth): ``qini_area`` and
        ``auuc`` (means over the splits), ``qini_area_sd`` (their spread), ``beats_random``, ``chosen``; with
        the truth ``true_gain_area``, ``share_of_oracle_qini`` and ``share_of_oracle_true_gain``.
    curves : pandas.DataFrame
        Qini curves for a chart: ``model``, ``share`` targeted, ``targeted``, ``value`` (incremental buyers)
        and ``random`` (the random line), each learner's from its mean score, and the oracle's.
    chosen : str
        The learner with the largest mean Qini area.
    n_folds, n_repeats : int
        Folds per split and splits.
    """

    scores: pd.DataFrame
    table: pd.DataFrame
    curves: pd.DataFrame
    chosen: str
    n_folds: int
    n_repeats: int

    @property
    def learners(self) -> list[str]:
        return list(self.scores.columns)

    @property
    def beats_random(self) -> bool:
        """Whether the chosen learner's mean Qini area is positive (it finds more buyers than random)."""
        return bool(self.table.loc[self.chosen, "qini_area"] > 0)


def compare_learners(X: object, treatment: object, y: object, names: Sequence[str] = tuple(LEARNERS), *,
                     n_folds: int = 5, n_repeats: int = 3, seed: int = 0, true_uplift: object | None = None,
                     references: Mapping[str, object] | None = None) -> LearnerComparison:
    """Cross-fit each learner on ``n_repeats`` random fold splits and choose the best by mean Qini area.

    Parameters
    ----------
    X, treatment, y
        The test customers' features, arm and binary outcome.
    names : sequence of str
        Learners of :data:`~retention.experiments.learners.LEARNERS` (default: all), seeded with ``seed``.
    n_folds, n_repeats : int
        Folds per split, and splits (split ``r`` is seeded ``seed + r``).
    true_uplift : array-like, optional
        The true uplift of each customer (generated data): adds the oracle and the shares of its areas.
    references : mapping, optional
        Other named scores to evaluate beside the learners (never chosen), e.g. the best a model of
        behaviour could predict on generated data.
    """
    if not names:
        raise ValueError("name at least one learner to compare")
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be at least 1, got {n_repeats}")
    features = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
    treated = as_treatment(treatment)
    outcome = np.asarray(y, dtype=float).ravel()
    index = features.index
    scores, rows = {}, []
    for name in names:
        runs = [cross_fit_uplift(make_learner(name, random_state=seed), features, treated, outcome,
                                 n_folds=n_folds, seed=seed + r) for r in range(n_repeats)]
        per_split = pd.concat([qini_summary(outcome, treated, {name: run}, true_uplift).loc[[name]] for run in runs])
        row = per_split.mean().to_dict()
        row.update(model=name, qini_area_sd=float(per_split["qini_area"].std(ddof=1)) if n_repeats > 1 else np.nan)
        rows.append(row)
        scores[name] = np.mean(runs, axis=0)
    table = pd.DataFrame(rows).set_index("model")
    chosen = str(table["qini_area"].idxmax())
    extra = dict(references or {})
    if true_uplift is not None:
        extra = {"oracle": true_uplift, **extra}
    if extra:
        known = qini_summary(outcome, treated, extra, true_uplift).drop(
            columns=[c for c in ("share_of_oracle_qini", "share_of_oracle_true_gain")], errors="ignore")
        table = pd.concat([known, table])
    if true_uplift is not None:
        table["share_of_oracle_qini"] = table["qini_area"] / table.loc["oracle", "qini_area"]
        table["share_of_oracle_true_gain"] = table["true_gain_area"] / table.loc["oracle", "true_gain_area"]
    table["beats_random"] = table["qini_area"] > 0
    table["chosen"] = table.index == chosen
    curve_scores = {**scores, **({"oracle": true_uplift} if true_uplift is not None else {})}
    curves = pd.concat([curve_points(qini_curve(outcome, treated, score), "qini").assign(model=name)
                        for name, score in curve_scores.items()], ignore_index=True)
    return LearnerComparison(scores=pd.DataFrame(scores, index=index), table=table,
                             curves=curves[["model", "share", "targeted", "value", "random"]], chosen=chosen,
                             n_folds=n_folds, n_repeats=n_repeats)
