"""Fitting: tune on grouped cross-validation and calibrate on the same folds' held-out predictions.

:class:`CalibratedModel` does for one learner what used to take a grid search plus a separate
calibration with its own folds. For every grid point it fits the learner on ``k - 1`` grouped folds and
predicts the held-out fold (folds grouped by CustomerID: one customer's rows at several cutoffs never
sit on both sides of a split), and picks the grid point whose out-of-fold predictions score best on the
decision metric. The ``k`` fold models of that grid point are kept, each with a calibration map fitted
on its own held-out fold, and the model predicts the mean of the ``k`` calibrated predictions: this is
scikit-learn's ``CalibratedClassifierCV(ensemble=True)`` with the tuning folds reused, so ``G`` grid
points cost ``G * k`` fits instead of ``G * k + k``. (Pairing each calibrator with its own fold model
matters: one map fitted on pooled out-of-fold predictions and applied to a model refitted on all rows
can miss badly when the fold models differ, e.g. for a heavily regularised model.) The calibrated
out-of-fold predictions (``oof_proba_``) are what the decision threshold is chosen on.

Everything is deterministic: folds are not shuffled and every learner is seeded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import GroupKFold, ParameterGrid
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from retention.churn.calibration import CALIBRATION_METHODS, ProbabilityCalibrator
from retention.churn.design import TARGET, binary_target, check_whole
from retention.churn.models import MODEL_NAMES, MODELS
from retention.metrics import PROPER_SCORES, probability_score

__all__ = [
    "CalibratedModel",
    "calibrate",
    "fit_models",
    "predict_churn",
    "refit",
    "refit_and_score",
    "chosen_hyperparameters",
    "training_predictions",
]


def group_folds(n_rows: int, groups: np.ndarray, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Deterministic GroupKFold splits: a customer's rows are all on one side of every split."""
    check_whole(n_folds, "cv_folds", 2)
    n_groups = np.unique(groups).size
    if n_groups < n_folds:
        raise ValueError(f"Only {n_groups} customer(s) for {n_folds} grouped folds; use fewer cv_folds.")
    return list(GroupKFold(n_splits=n_folds).split(np.zeros((n_rows, 1)), groups=groups))


def _fold_models(estimator: BaseEstimator, X: pd.DataFrame, y: np.ndarray,
                 folds: Sequence[tuple]) -> tuple[list[BaseEstimator], np.ndarray]:
    """The fold models and every row's churn probability from the model that did not see it."""
    models, proba = [], np.empty(len(y))
    for fit_rows, held_out in folds:
        model = clone(estimator).fit(X.iloc[fit_rows], y[fit_rows])
        proba[held_out] = model.predict_proba(X.iloc[held_out])[:, 1]
        models.append(model)
    return models, proba


class CalibratedModel(ClassifierMixin, BaseEstimator):
    """A learner tuned on grouped out-of-fold predictions, its fold models each calibrated on their held-out fold.

    Parameters
    ----------
    estimator : estimator
        Unfitted classifier taking a feature frame (e.g. a pipeline of :func:`~retention.churn.make_models`).
    param_grid : mapping of str to list, optional
        Grid searched on the folds (None or empty: the estimator's own settings).
    method : {"sigmoid", "isotonic"}, default "sigmoid"
        Calibration map (Platt scaling keeps the ranking; isotonic steps create ties).
    cv_folds : int, default 3
        Grouped folds, used both to tune and to calibrate.
    scoring : {"brier", "log_loss"}, default "brier"
        The proper scoring rule the grid is searched on, on the uncalibrated out-of-fold predictions
        (lower is better).
    group_column : str, default "CustomerID"
        Column of ``X`` that groups rows when ``fit`` gets no ``groups``.

    Attributes
    ----------
    best_params_ : dict
        The chosen grid point.
    cv_results_ : pandas.DataFrame
        One row per grid point: its parameters and out-of-fold ``score``.
    estimators_ : list of estimator
        The chosen learner fitted on each fold's training part.
    calibrators_ : list of ProbabilityCalibrator
        The map of each fold model, fitted on its held-out fold.
    oof_proba_ : numpy.ndarray
        Calibrated out-of-fold churn probabilities of the training rows (in their order).
    """

    def __init__(self, estimator: BaseEstimator, param_grid: Mapping[str, list[Any]] | None = None,
                 method: str = "sigmoid", cv_folds: int = 3, scoring: str = "brier",
                 group_column: str = "CustomerID") -> None:
        self.estimator = estimator
        self.param_grid = param_grid
        self.method = method
        self.cv_folds = cv_folds
        self.scoring = scoring
        self.group_column = group_column

    def _groups(self, X: pd.DataFrame, groups: Any) -> np.ndarray:
        if groups is not None:
            return pd.factorize(np.asarray(groups))[0]
        if self.group_column not in X.columns:
            raise ValueError(f"X has no {self.group_column!r} column to group the folds by; pass groups=.")
        return pd.factorize(X[self.group_column])[0]

    def fit(self, X: pd.DataFrame, y: Any, groups: Any = None) -> CalibratedModel:
        """Tune and calibrate on ``X`` (a feature frame) and the labels ``y``."""
        if self.method not in CALIBRATION_METHODS:
            raise ValueError(f"method must be one of {CALIBRATION_METHODS}, got {self.method!r}.")
        if self.scoring not in PROPER_SCORES:
            raise ValueError(f"scoring must be one of {PROPER_SCORES}, got {self.scoring!r}.")
        target = binary_target(y)
        folds = group_folds(len(target), self._groups(X, groups), self.cv_folds)
        rows: list[dict[str, Any]] = []
        for point in ParameterGrid(dict(self.param_grid or {})):
            models, oof = _fold_models(clone(self.estimator).set_params(**point), X, target, folds)
            rows.append({**point, "score": probability_score(target, oof, self.scoring)})
            if len(rows) == 1 or rows[-1]["score"] < min(r["score"] for r in rows[:-1]):
                best, best_models, best_oof = point, models, oof
        self.cv_results_ = pd.DataFrame(rows)
        self.best_params_ = dict(best)
        self.estimators_ = best_models
        self.calibrators_ = []
        self.oof_proba_ = np.empty(len(target))
        for _, held_out in folds:
            calibrator = ProbabilityCalibrator(self.method).fit(best_oof[held_out], target[held_out])
            self.oof_proba_[held_out] = calibrator.predict(best_oof[held_out])
            self.calibrators_.append(calibrator)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Columns P(stay), P(churn): the mean of the calibrated fold models' probabilities."""
        check_is_fitted(self, "estimators_")
        with threadpool_limits(limits=1):  # OpenMP threads of gradient boosting thrash a busy machine
            churn = np.mean([calibrator.predict(model.predict_proba(X)[:, 1])
                             for model, calibrator in zip(self.estimators_, self.calibrators_, strict=True)], axis=0)
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 (churn) when the calibrated probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)


def calibrate(estimator: BaseEstimator, X: pd.DataFrame, y: Any, groups: Any, *, method: str = "sigmoid",
              cv_folds: int = 3) -> CalibratedModel:
    """Fit ``estimator`` (settings already chosen) and calibrate it on grouped folds of the same data.

    No data outside ``X`` is used: for each of ``cv_folds`` grouped splits a clone is fitted on the
    training part and a calibration map on its predictions for the held-out part; the result averages
    the calibrated pairs.
    """
    return CalibratedModel(estimator, None, method=method, cv_folds=cv_folds).fit(X, y, groups=groups)


def _labelled(examples: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    missing = [c for c in (TARGET, "CustomerID") if c not in examples.columns]
    if missing:
        raise ValueError(f"examples is missing column(s) {missing}; build them with the engine's churn_examples.")
    return examples, binary_target(examples[TARGET])


def _fit_one(name: str, X: pd.DataFrame, y: np.ndarray, seed: int, cv_folds: int, calibration: str,
             scoring: str, params: Mapping[str, Any] | None = None) -> BaseEstimator:
    """Fit the registry's model ``name``; ``params`` fixes its hyper-parameters instead of the grid."""
    spec = MODELS[name]
    missing = [c for c in spec.needs if c not in X.columns]
    if missing:
        raise ValueError(f"{name!r} needs the column(s) {missing}; add them with add_btyd_features.")
    if not spec.cross_validated:
        return spec.make(seed).fit(X, y)
    grid = {k: [v] for k, v in params.items()} if params is not None else spec.grid
    model = CalibratedModel(spec.make(seed), grid, method=calibration, cv_folds=cv_folds, scoring=scoring)
    return model.fit(X, y)


def fit_models(examples: pd.DataFrame, seed: int, cv_folds: int = 3, *, calibration: str = "sigmoid",
               names: Iterable[str] | None = None, scoring: str = "brier") -> dict[str, BaseEstimator]:
    """Fit every baseline and candidate of the registry on training examples only.

    Parameters
    ----------
    examples : pandas.DataFrame
        Labelled training examples from :meth:`retention.engine.Session.churn_examples` (training cutoffs only,
        so the validation cutoff stays out-of-time), with the BTYD columns of
        :func:`~retention.churn.add_btyd_features` when a model needs them.
    seed : int
        Random state of every model.
    cv_folds : int, default 3
        Grouped folds (by CustomerID) for both the tuning and the calibration.
    calibration : {"sigmoid", "isotonic"}, default "sigmoid"
        Calibration map of the supervised learners (the recency baseline is isotonic by construction).
    names : iterable of str, optional
        Fit only these models (default: :data:`~retention.churn.MODEL_NAMES`, in that order).
    scoring : {"brier", "log_loss"}, default "brier"
        Proper scoring rule of the grid search (the decision metric).

    Returns
    -------
    dict of str to fitted estimator
        Each takes a feature frame in ``predict_proba`` (extra columns are ignored). Supervised
        learners are :class:`CalibratedModel`.

    Notes
    -----
    Fitting runs on one thread (``n_jobs=1`` and OpenMP/BLAS limited to one thread): on a busy shared
    machine multi-threaded gradient boosting can be several times slower, and the result must not
    depend on the thread count.
    """
    X, y = _labelled(examples)
    wanted = list(MODEL_NAMES if names is None else names)
    unknown = [n for n in wanted if n not in MODELS]
    if unknown:
        raise ValueError(f"Unknown model name(s) {unknown}; choose from {list(MODEL_NAMES)}.")
    with threadpool_limits(limits=1):
        return {name: _fit_one(name, X, y, seed, cv_folds, calibration, scoring) for name in wanted}


def predict_churn(model: BaseEstimator, frame: pd.DataFrame) -> pd.Series:
    """Churn probabilities of a fitted model for a feature frame, aligned with ``frame.index``."""
    proba = model.predict_proba(frame)[:, 1]
    return pd.Series(proba, index=frame.index, name="churn_probability")


def training_predictions(model: BaseEstimator, examples: pd.DataFrame) -> pd.Series:
    """Honest churn probabilities of the training examples a model was fitted on.

    The calibrated out-of-fold predictions for a :class:`CalibratedModel`; for the baselines (which
    learn at most a monotone map of one score) their predictions on the training rows.
    """
    oof = getattr(model, "oof_proba_", None)
    if oof is not None:
        if len(oof) != len(examples):
            raise ValueError(f"The model was fitted on {len(oof)} rows, examples has {len(examples)}.")
        return pd.Series(oof, index=examples.index, name="churn_probability")
    return predict_churn(model, examples)


def refit(chosen_name: str, examples: pd.DataFrame, seed: int, cv_folds: int = 3, *, calibration: str = "sigmoid",
          like: BaseEstimator | None = None, scoring: str = "brier") -> BaseEstimator:
    """Fit one registry model again on all labelled examples (training + validation cutoffs).

    Parameters
    ----------
    chosen_name : str
        A name of :data:`~retention.churn.MODEL_NAMES`.
    examples : pandas.DataFrame
        Labelled examples at every labelled cutoff.
    seed, cv_folds, calibration, scoring
        As in :func:`fit_models`.
    like : fitted estimator, optional
        The model as fitted on the training cutoffs: its chosen hyper-parameters are kept (the validated
        configuration ships, and no grid is searched again). Without it the grid is searched again.
    """
    if chosen_name not in MODELS:
        raise ValueError(f"Unknown model name {chosen_name!r}; choose from {list(MODEL_NAMES)}.")
    X, y = _labelled(examples)
    params = getattr(like, "best_params_", None)
    with threadpool_limits(limits=1):
        return _fit_one(chosen_name, X, y, seed, cv_folds, calibration, scoring, params)


def refit_and_score(chosen_name: str, examples_all_labelled: pd.DataFrame, live_features: pd.DataFrame,
                    seed: int, cv_folds: int = 3, *, calibration: str = "sigmoid",
                    like: BaseEstimator | None = None) -> pd.Series:
    """Refit the chosen model on every labelled cutoff and score the live customers.

    Returns
    -------
    pandas.Series
        Churn probability in the next ``horizon_days`` for every live customer, index of
        ``live_features``. Use :func:`refit` and :func:`predict_churn` to keep the model as well.
    """
    model = refit(chosen_name, examples_all_labelled, seed, cv_folds, calibration=calibration, like=like)
    return predict_churn(model, live_features)


def chosen_hyperparameters(models: Mapping[str, BaseEstimator]) -> pd.DataFrame:
    """The grid values :func:`fit_models` picked, one row per tuned model and parameter."""
    rows = [{"model": name, "parameter": key.removeprefix("model__"), "value": value}
            for name, model in models.items() for key, value in getattr(model, "best_params_", {}).items()]
    return pd.DataFrame(rows, columns=["model", "parameter", "value"])
