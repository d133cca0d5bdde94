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
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import StratifiedKFold

from retention.experiments.learners import as_treatment

__all__ = ["cross_fit_uplift", "qini_curve", "true_gain_curve", "curve_area", "qini_summary"]


def cross_fit_uplift(learner: BaseEstimator, X: object, treatment: object, y: object, *, n_folds: int = 5,
                     seed: int = 0) -> np.ndarray:
    """Out-of-fold predicted uplift for every customer (folds stratified by arm and outcome)."""
    features = np.asarray(X, dtype=float)
    treated = as_treatment(treatment)
    outcome = np.asarray(y, dtype=float).ravel()
    strata = 2 * treated.astype(int) + outcome.astype(int)
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    predicted = np.full(len(features), np.nan)
    for train, held_out in folds.split(features, strata):
        model = clone(learner).fit(features[train], treated[train], outcome[train])
        predicted[held_out] = model.predict_uplift(features[held_out])
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
