"""The churn models: feature selection and the registry of every candidate and baseline.

Adding a model is one :class:`ModelSpec` entry in :data:`MODELS` plus its factory (a function of the seed
returning an unfitted scikit-learn estimator that takes a feature frame). Supervised learners are tuned on
their grid and calibrated on grouped cross-validation folds by :func:`~retention.churn.fit_models`;
baselines are fitted as they are.

Candidates
----------
* ``"Logistic regression"``: log1p of the skewed counts and amounts, standardised, L2-penalised
  (explainable with :func:`~retention.churn.logistic_coefficients` and :func:`~retention.churn.top_reasons`).
* ``"Random forest"`` and ``"Gradient boosting"`` (HistGradientBoosting).
* The same three ``"... + BTYD"``: the behavioural features plus the BTYD outputs of
  :func:`~retention.churn.add_btyd_features` (P(alive), P(no purchase in H), expected purchases in H;
  the probabilities enter the logistic regression as log-odds).

Baselines
---------
* ``"Recency baseline"`` (:class:`~retention.churn.RecencyBaseline`).
* ``"BG/NBD baseline"`` (:class:`~retention.churn.BTYDBaseline`): the purchase model's own
  P(no purchase in H), as the CLV report shows it.
* ``"BG/NBD baseline (calibrated)"``: the same score mapped to the churn rates of the training cutoffs by
  Platt scaling (two parameters; the ranking is unchanged). Both are in the comparison, so the data
  decide whether the purchase model's probabilities need calibrating before they could ship.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from retention.churn.baselines import BTYDBaseline, RecencyBaseline
from retention.churn.btyd import BTYD_FEATURES
from retention.churn.calibration import logit
from retention.features import RECENT_DAYS

__all__ = [
    "MODEL_FEATURES",
    "LOG_FEATURES",
    "LOGIT_FEATURES",
    "ModelFeatures",
    "ModelSpec",
    "MODELS",
    "MODEL_NAMES",
    "BASELINE_NAMES",
    "CANDIDATE_NAMES",
    "BASELINE_NAME",
    "BTYD_BASELINE_NAME",
    "CALIBRATED_BTYD_BASELINE_NAME",
    "EXPLAINABLE_MODEL",
    "PRODUCTION_MODEL",
    "PARAM_GRIDS",
    "make_models",
]

MODEL_FEATURES: tuple[str, ...] = (
    "Recency", "Frequency", "Monetary", "Tenure", "PurchaseVelocity", "AvgOrderValue", "ReturnRate",
    "UniqueProducts", "PeakSeasonShare", f"Frequency_{RECENT_DAYS}d", f"Monetary_{RECENT_DAYS}d",
    "OrdersPerMonthRecentVsOverall",
)
"""The behavioural columns of :meth:`~retention.engine.Session.customer_features` the models read."""

LOG_FEATURES: tuple[str, ...] = (
    "Recency", "Frequency", "Monetary", "Tenure", "PurchaseVelocity", "AvgOrderValue", "UniqueProducts",
    f"Frequency_{RECENT_DAYS}d", f"Monetary_{RECENT_DAYS}d", "OrdersPerMonthRecentVsOverall", "expected_purchases",
)
"""Skewed, non-negative columns that get ``log1p`` before the logistic regression (not the shares)."""

LOGIT_FEATURES: tuple[str, ...] = ("p_alive", "p_no_purchase")
"""Probabilities that enter the logistic regression as log-odds (clipped away from 0 and 1)."""

_FILL_ZERO: tuple[str, ...] = ("UniqueProducts",)


class ModelFeatures(TransformerMixin, BaseEstimator):
    """Pick the model columns from a feature frame, fill gaps and optionally transform skewed columns.

    Parameters
    ----------
    columns : sequence of str, default MODEL_FEATURES
        Columns to use. Columns that are entirely missing in the training frame (e.g. UniqueProducts
        when the data has no StockCode) are dropped at ``fit``.
    log_columns : sequence of str, default LOG_FEATURES
        Columns transformed with ``log1p`` (after flooring at 0) when ``log`` is True.
    logit_columns : sequence of str, default LOGIT_FEATURES
        Probability columns transformed to log-odds when ``log`` is True.
    log : bool, default True
        Apply the transforms (useful for linear models; tree models do not need them).

    Attributes
    ----------
    columns_ : list of str
        The columns used, in order (the order of the output matrix).
    """

    def __init__(self, columns: Sequence[str] = MODEL_FEATURES, log_columns: Sequence[str] = LOG_FEATURES,
                 logit_columns: Sequence[str] = LOGIT_FEATURES, log: bool = True) -> None:
        self.columns = columns
        self.log_columns = log_columns
        self.logit_columns = logit_columns
        self.log = log

    def fit(self, X: pd.DataFrame, y: Any = None) -> ModelFeatures:
        """Learn which of ``columns`` are usable (present and not all missing) in ``X``."""
        if not isinstance(X, pd.DataFrame):
            raise ValueError(f"X must be a DataFrame of customer features, not {type(X).__name__}.")
        missing = [c for c in self.columns if c not in X.columns and c not in _FILL_ZERO]
        if missing:
            hint = " (add the BTYD columns with add_btyd_features)" if set(missing) & set(BTYD_FEATURES) else ""
            raise ValueError(f"X is missing feature column(s) {missing}{hint}.")
        self.columns_ = [c for c in self.columns if c in X.columns and X[c].notna().any()]
        self.n_features_out_ = len(self.columns_)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """The float matrix of ``columns_`` (NaN UniqueProducts -> 0; log1p / log-odds when ``log``)."""
        check_is_fitted(self, "columns_")
        missing = [c for c in self.columns_ if c not in X.columns]
        if missing:
            raise ValueError(f"X is missing feature column(s) {missing} the model was fitted with.")
        frame = X[self.columns_].astype(float)
        fill = [c for c in self.columns_ if c in _FILL_ZERO]
        frame[fill] = frame[fill].fillna(0.0)
        gaps = frame.columns[frame.isna().any()].tolist()
        if gaps:
            raise ValueError(f"Feature column(s) {gaps} have missing values.")
        if self.log:
            logged = [c for c in self.columns_ if c in self.log_columns]
            frame[logged] = np.log1p(frame[logged].clip(lower=0.0))
            odds = [c for c in self.columns_ if c in self.logit_columns]
            frame[odds] = logit(frame[odds].to_numpy())
        return frame.to_numpy(dtype=float)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The names of the output columns (``columns_``)."""
        check_is_fitted(self, "columns_")
        return np.asarray(self.columns_, dtype=object)


# ---------------------------------------------------------------------------------------------------------
# Factories: seed -> unfitted estimator taking a feature frame
# ---------------------------------------------------------------------------------------------------------


def _logistic(columns: Sequence[str]) -> Callable[[int], Pipeline]:
    def make(seed: int) -> Pipeline:
        return Pipeline([("features", ModelFeatures(tuple(columns), log=True)), ("scale", StandardScaler()),
                         ("model", LogisticRegression(C=1.0, max_iter=2000))])
    return make


def _forest(columns: Sequence[str]) -> Callable[[int], Pipeline]:
    def make(seed: int) -> Pipeline:
        return Pipeline([("features", ModelFeatures(tuple(columns), log=False)),
                         ("model", RandomForestClassifier(n_estimators=60, max_depth=8, min_samples_leaf=25,
                                                          max_features="sqrt", max_samples=0.5, n_jobs=1,
                                                          random_state=seed))])
    return make


def _boosting(columns: Sequence[str]) -> Callable[[int], Pipeline]:
    def make(seed: int) -> Pipeline:
        return Pipeline([("features", ModelFeatures(tuple(columns), log=False)),
                         ("model", HistGradientBoostingClassifier(learning_rate=0.05, max_iter=100, max_leaf_nodes=12,
                                                                  min_samples_leaf=40, l2_regularization=1.0,
                                                                  early_stopping=False, random_state=seed))])
    return make


@dataclass(frozen=True)
class ModelSpec:
    """One entry of the model registry.

    Attributes
    ----------
    name : str
        The name shown in reports and accepted by ``churn.production_model``.
    make : callable
        ``make(seed)`` returns the unfitted estimator (it takes a feature frame in ``fit``/``predict_proba``).
    grid : mapping of str to list
        Hyper-parameter grid searched on grouped cross-validation (empty: nothing to tune).
    baseline : bool
        True for the simple baselines every candidate is compared with.
    cross_validated : bool
        True for supervised learners: tuned and calibrated on out-of-fold predictions. Baselines fit as
        they are (they calibrate themselves).
    needs : tuple of str
        Columns beyond the behavioural features (e.g. :data:`~retention.churn.BTYD_FEATURES`).
    summary : str
        One plain sentence on what the model is.
    """

    name: str
    make: Callable[[int], BaseEstimator]
    grid: Mapping[str, list[Any]] = field(default_factory=dict)
    baseline: bool = False
    cross_validated: bool = True
    needs: tuple[str, ...] = ()
    summary: str = ""


_LR_GRID = {"model__C": [0.01, 0.1, 1.0, 10.0]}
# Two grid points each for the trees (G points cost 3 G + 1 fits with 3 folds): on the default data and
# CDNOW the tree depth moved the out-of-fold Brier score, the leaf size and learning rate hardly did.
_RF_GRID = {"model__max_depth": [4, 8]}
_HGB_GRID = {"model__max_leaf_nodes": [4, 12]}
_WITH_BTYD = (*MODEL_FEATURES, *BTYD_FEATURES)

BASELINE_NAME = "Recency baseline"
BTYD_BASELINE_NAME = "BG/NBD baseline"
CALIBRATED_BTYD_BASELINE_NAME = "BG/NBD baseline (calibrated)"

MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec(BASELINE_NAME, lambda seed: RecencyBaseline(), baseline=True, cross_validated=False,
              summary="the churn rate of past customers with as many days since their last order (a rule, not a "
                      "model)"),
    ModelSpec(BTYD_BASELINE_NAME, lambda seed: BTYDBaseline(), baseline=True, cross_validated=False,
              needs=BTYD_FEATURES,
              summary="the purchase model's own chance of no order in the horizon (BG/NBD: each customer buys at a "
                      "steady rate of their own until they silently leave)"),
    ModelSpec(CALIBRATED_BTYD_BASELINE_NAME, lambda seed: BTYDBaseline(calibration="sigmoid"), baseline=True,
              cross_validated=False, needs=BTYD_FEATURES,
              summary="the purchase model's chance of no order in the horizon, rescaled to the churn rates of the "
                      "training dates (the order of customers is unchanged)"),
    ModelSpec("Logistic regression", _logistic(MODEL_FEATURES), _LR_GRID,
              summary="a weighted sum of the customer's order history (days since last order, orders, spend, "
                      "trends)"),
    ModelSpec("Random forest", _forest(MODEL_FEATURES), _RF_GRID,
              summary="an average of many decision trees on the same order history"),
    ModelSpec("Gradient boosting", _boosting(MODEL_FEATURES), _HGB_GRID,
              summary="a sequence of small decision trees, each correcting the last"),
    ModelSpec("Logistic regression + BTYD", _logistic(_WITH_BTYD), _LR_GRID, needs=BTYD_FEATURES,
              summary="the weighted sum plus the purchase model's chance still active, chance of no order and "
                      "expected orders"),
    ModelSpec("Random forest + BTYD", _forest(_WITH_BTYD), _RF_GRID, needs=BTYD_FEATURES,
              summary="the decision trees plus the purchase model's three outputs"),
    ModelSpec("Gradient boosting + BTYD", _boosting(_WITH_BTYD), _HGB_GRID, needs=BTYD_FEATURES,
              summary="the small decision trees plus the purchase model's three outputs"),
)}
"""Every candidate and baseline, by name, in report order (baselines first)."""

MODEL_NAMES: tuple[str, ...] = tuple(MODELS)
"""Every candidate and baseline name (``churn.production_model`` is ``"auto"`` or one of these)."""

BASELINE_NAMES: tuple[str, ...] = tuple(n for n, s in MODELS.items() if s.baseline)
CANDIDATE_NAMES: tuple[str, ...] = tuple(n for n, s in MODELS.items() if not s.baseline)

EXPLAINABLE_MODEL = "Logistic regression"
"""The model whose coefficients explain churn in words (:func:`~retention.churn.logistic_coefficients`)."""
PRODUCTION_MODEL = EXPLAINABLE_MODEL
"""Former default of ``churn.production_model``; the shipped model is now chosen by
:func:`~retention.churn.select_production_model` (``"auto"``)."""

PARAM_GRIDS: dict[str, dict[str, list[Any]]] = {n: dict(s.grid) for n, s in MODELS.items() if s.grid}
"""The hyper-parameter grids searched by :func:`~retention.churn.fit_models` (scoring: the decision metric)."""


def make_models(seed: int, names: Sequence[str] | None = None) -> dict[str, BaseEstimator]:
    """The unfitted models of the registry, seeded, before tuning and calibration.

    Parameters
    ----------
    seed : int
        ``random_state`` of the random forests and the gradient boosting.
    names : sequence of str, optional
        Which models (default: every candidate, i.e. :data:`CANDIDATE_NAMES`).

    Returns
    -------
    dict of str to estimator
        Each candidate is a pipeline starting with :class:`ModelFeatures` (so it accepts a whole feature
        frame) and ending with a step named ``"model"``.
    """
    wanted = CANDIDATE_NAMES if names is None else tuple(names)
    unknown = [n for n in wanted if n not in MODELS]
    if unknown:
        raise ValueError(f"Unknown model name(s) {unknown}; choose from {list(MODEL_NAMES)}.")
    return {name: MODELS[name].make(seed) for name in wanted}
