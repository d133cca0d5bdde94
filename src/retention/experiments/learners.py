"""Uplift learners: who responds to the offer, from the customer features as of the send date.

Each learner estimates the conditional average treatment effect on a binary outcome (bought in the
window), ``tau(x) = P(Y = 1 | x, treated) - P(Y = 1 | x, control)``, in probability points, from a
randomized test. They follow the scikit-learn contract (``__init__`` stores parameters, ``fit(X, treatment,
y)`` validates and returns self, fitted attributes end in ``_``) and predict with ``predict_uplift(X)``.

* :class:`TLearner` -- two outcome models, one per arm; ``tau = mu1(x) - mu0(x)`` (Kuenzel, Sekhon,
  Bickel & Yu 2019, "Metalearners for estimating heterogeneous treatment effects using machine
  learning", PNAS 116(10)).
* :class:`XLearner` -- the same paper's X-learner: impute each treated customer's effect as
  ``y - mu0(x)`` and each control customer's as ``mu1(x) - y``, regress both on ``x``, and blend the two
  effect models with the propensity ``e``: ``tau = e * tau0(x) + (1 - e) * tau1(x)``.
* :class:`TransformedOutcomeLearner` -- one regression on the transformed outcome
  ``y* = y (t - e) / (e (1 - e))``, whose expectation given ``x`` is ``tau(x)`` in a randomized test
  (Athey & Imbens 2015, "Machine learning methods for estimating heterogeneous causal effects"; the
  class-transformation idea of Jaskowski & Jaroszewicz 2012).
* :class:`BaselineRiskLearner` -- the effect as a smooth function of the customer's predicted purchase
  probability without the offer (their *baseline risk*): a baseline model on the control arm (by default
  a calibration of the BG/NBD chance of buying in the window), then the treated customers' excess
  purchases ``y - mu0(x)`` regressed on a spline of ``logit mu0(x)``. It spends
  the few treated customers on one dimension instead of all features, the "risk modelling" approach to
  heterogeneous effects (Kent et al. 2020, "The Predictive Approaches to Treatment effect Heterogeneity
  (PATH) statement", Annals of Internal Medicine 172(1)). It suits offers whose effect turns on how likely
  the customer is to buy anyway.

The propensity ``e`` is the share treated (the assignment was random). Defaults are shallow, slowly
learning gradient boosting models, which suit a few hundred to a few thousand customers.

Why not causalml: it installs cleanly with our pins on Python 3.11 (0.18.0), but pulls in 32 more packages
(xgboost, lightgbm, numba/llvmlite, an NVIDIA NCCL wheel, shap, matplotlib, black ...) of about 1.1 GB and
takes ~4.7 s to import; three meta-learners on scikit-learn are a few dozen lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer

__all__ = ["LEARNERS", "TLearner", "XLearner", "TransformedOutcomeLearner", "BaselineRiskLearner", "as_treatment",
           "make_learner"]


def _classifier(random_state: int | None) -> GradientBoostingClassifier:
    return GradientBoostingClassifier(n_estimators=100, max_depth=2, learning_rate=0.05, subsample=0.8,
                                      min_samples_leaf=20, random_state=random_state)


def _regressor(random_state: int | None) -> GradientBoostingRegressor:
    return GradientBoostingRegressor(n_estimators=100, max_depth=2, learning_rate=0.05, subsample=0.8,
                                     min_samples_leaf=20, random_state=random_state)


def as_treatment(treatment: object) -> np.ndarray:
    """A boolean treated-or-not array from booleans, 0/1 or the group labels treatment/control."""
    values = pd.Series(np.asarray(treatment).ravel())
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        labels = values.astype(str).str.strip().str.lower()
        if not labels.isin(["treatment", "control"]).all():
            raise ValueError(f"treatment labels must be 'treatment' or 'control', got {sorted(set(labels))[:5]}")
        return (labels == "treatment").to_numpy()
    if not values.isin([0, 1]).all():
        raise ValueError("treatment must be boolean, 0/1 or the labels treatment/control")
    return values.astype(bool).to_numpy()


def _check(X: object, treatment: object, y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    features = np.asarray(X, dtype=float)
    if features.ndim != 2:
        raise ValueError(f"X must be two-dimensional (customers x features), got shape {features.shape}")
    if not np.isfinite(features).all():
        raise ValueError("X has missing or infinite values; fill or drop them first")
    treated = as_treatment(treatment)
    outcome = np.asarray(y, dtype=float).ravel()
    if not len(features) == len(treated) == len(outcome):
        raise ValueError(f"X, treatment and y must have the same length, got {len(features)}, {len(treated)}, "
                         f"{len(outcome)}")
    if not np.isin(outcome, [0.0, 1.0]).all():
        raise ValueError("y must be a binary outcome (0/1): whether the customer bought in the window")
    for arm, mask in (("treatment", treated), ("control", ~treated)):
        if mask.sum() < 2 or np.unique(outcome[mask]).size < 2:
            raise ValueError(f"the {arm} arm needs at least two customers and both outcomes (buyers and "
                             f"non-buyers) to fit an uplift model")
    return features, treated, outcome


def _proba(model: object, X: np.ndarray) -> np.ndarray:
    return model.predict_proba(X)[:, 1]


class TLearner(BaseEstimator):
    """Two-model uplift learner: ``tau(x) = mu1(x) - mu0(x)`` (Kuenzel et al. 2019).

    Parameters
    ----------
    learner : classifier, optional
        Outcome model cloned for each arm (default: shallow gradient boosting).
    random_state : int, optional
        Seed of the default learner.
    """

    def __init__(self, learner: object = None, random_state: int | None = None) -> None:
        self.learner = learner
        self.random_state = random_state

    def fit(self, X: object, treatment: object, y: object) -> TLearner:
        features, treated, outcome = _check(X, treatment, y)
        base = self.learner if self.learner is not None else _classifier(self.random_state)
        self.model_control_ = clone(base).fit(features[~treated], outcome[~treated])
        self.model_treatment_ = clone(base).fit(features[treated], outcome[treated])
        self.n_features_in_ = features.shape[1]
        return self

    def predict_outcomes(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Purchase probability without and with the offer."""
        features = np.asarray(X, dtype=float)
        return _proba(self.model_control_, features), _proba(self.model_treatment_, features)

    def predict_uplift(self, X: object) -> np.ndarray:
        control, treated = self.predict_outcomes(X)
        return treated - control


class XLearner(BaseEstimator):
    """X-learner: imputed effects regressed per arm, blended by the propensity (Kuenzel et al. 2019).

    Parameters
    ----------
    outcome_learner : classifier, optional
        Outcome model per arm (default: shallow gradient boosting).
    effect_learner : regressor, optional
        Model of the imputed effects (default: shallow gradient boosting).
    random_state : int, optional
        Seed of the default learners.
    """

    def __init__(self, outcome_learner: object = None, effect_learner: object = None,
                 random_state: int | None = None) -> None:
        self.outcome_learner = outcome_learner
        self.effect_learner = effect_learner
        self.random_state = random_state

    def fit(self, X: object, treatment: object, y: object) -> XLearner:
        features, treated, outcome = _check(X, treatment, y)
        outcome_model = self.outcome_learner if self.outcome_learner is not None else _classifier(self.random_state)
        effect_model = self.effect_learner if self.effect_learner is not None else _regressor(self.random_state)
        x0, y0, x1, y1 = features[~treated], outcome[~treated], features[treated], outcome[treated]
        self.model_control_ = clone(outcome_model).fit(x0, y0)
        self.model_treatment_ = clone(outcome_model).fit(x1, y1)
        self.effect_treated_ = clone(effect_model).fit(x1, y1 - _proba(self.model_control_, x1))
        self.effect_control_ = clone(effect_model).fit(x0, _proba(self.model_treatment_, x0) - y0)
        self.propensity_ = float(treated.mean())
        self.n_features_in_ = features.shape[1]
        return self

    def predict_outcomes(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Purchase probability without and with the offer (the first-stage outcome models)."""
        features = np.asarray(X, dtype=float)
        return _proba(self.model_control_, features), _proba(self.model_treatment_, features)

    def predict_uplift(self, X: object) -> np.ndarray:
        features = np.asarray(X, dtype=float)
        e = self.propensity_
        return e * self.effect_control_.predict(features) + (1.0 - e) * self.effect_treated_.predict(features)


class TransformedOutcomeLearner(BaseEstimator):
    """One regression on the transformed outcome ``y (t - e) / (e (1 - e))`` (Athey & Imbens 2015).

    Parameters
    ----------
    learner : regressor, optional
        Model of the transformed outcome (default: shallow gradient boosting).
    random_state : int, optional
        Seed of the default learner.
    """

    def __init__(self, learner: object = None, random_state: int | None = None) -> None:
        self.learner = learner
        self.random_state = random_state

    def fit(self, X: object, treatment: object, y: object) -> TransformedOutcomeLearner:
        features, treated, outcome = _check(X, treatment, y)
        e = float(treated.mean())
        transformed = outcome * (treated - e) / (e * (1.0 - e))
        base = self.learner if self.learner is not None else _regressor(self.random_state)
        self.model_ = clone(base).fit(features, transformed)
        self.propensity_ = e
        self.n_features_in_ = features.shape[1]
        return self

    def predict_uplift(self, X: object) -> np.ndarray:
        return self.model_.predict(np.asarray(X, dtype=float))


class BaselineRiskLearner(BaseEstimator):
    """The effect as a smooth function of the baseline purchase probability (risk modelling, Kent et al. 2020).

    The baseline ``mu0(x)``, the chance of buying without the offer, is fitted on the control arm: by default a
    logistic spline of one score column (``baseline``, e.g. the BG/NBD chance of buying in the window, which
    is recomputed from each date's history and so carries over from the send date to today); with
    ``baseline=None`` a gradient-boosting model of every feature. The treated customers' ``y - mu0(x)`` (their
    purchases beyond what is expected without the offer; out of sample for ``mu0``) is then regressed on a
    spline of ``logit mu0(x)`` with a ridge penalty. Beyond the training range the effect stays at its edge
    value.

    Parameters
    ----------
    baseline : str, int or None, default "p_buy_window"
        The score column (name, when ``X`` is a DataFrame, or position) the baseline is fitted on; None: all
        features, with ``learner``.
    learner : classifier, optional
        Baseline model of all features when ``baseline`` is None (default: shallow gradient boosting).
    n_knots : int, default 4
        Knots of the splines.
    alpha : float, default 1.0
        Ridge penalty of the effect curve.
    random_state : int, optional
        Seed of the default learner.
    """

    def __init__(self, baseline: str | int | None = "p_buy_window", learner: object = None, n_knots: int = 4,
                 alpha: float = 1.0, random_state: int | None = None) -> None:
        self.baseline = baseline
        self.learner = learner
        self.n_knots = n_knots
        self.alpha = alpha
        self.random_state = random_state

    def _column(self, X: object) -> int | None:
        if self.baseline is None:
            return None
        if isinstance(self.baseline, str):
            if not isinstance(X, pd.DataFrame) or self.baseline not in X.columns:
                raise ValueError(f"the baseline column {self.baseline!r} must be a column of X (a DataFrame); "
                                 f"pass its position, or baseline=None to use every feature")
            return int(list(X.columns).index(self.baseline))
        return int(self.baseline)

    def _score(self, features: np.ndarray) -> np.ndarray:
        if self.column_ is None:
            return _proba(self.model_control_, features)
        return features[:, self.column_]

    def _logit(self, p: np.ndarray) -> np.ndarray:
        p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
        return np.log(p / (1.0 - p)).reshape(-1, 1)

    def fit(self, X: object, treatment: object, y: object) -> BaselineRiskLearner:
        column = self._column(X)
        features, treated, outcome = _check(X, treatment, y)
        self.column_ = column
        if column is None:
            base = self.learner if self.learner is not None else _classifier(self.random_state)
            self.model_control_ = clone(base).fit(features[~treated], outcome[~treated])
        else:
            if not 0 <= column < features.shape[1]:
                raise ValueError(f"baseline column {column} is outside X's {features.shape[1]} columns")
            self.model_control_ = make_pipeline(
                SplineTransformer(n_knots=self.n_knots, degree=2, extrapolation="constant"),
                LogisticRegression(max_iter=1000)).fit(self._logit(self._score(features[~treated])), outcome[~treated])
        x1 = features[treated]
        excess = outcome[treated] - self.predict_baseline(x1)
        self.effect_ = make_pipeline(SplineTransformer(n_knots=self.n_knots, degree=2, extrapolation="constant"),
                                     Ridge(alpha=self.alpha)).fit(self._logit(self.predict_baseline(x1)), excess)
        self.n_features_in_ = features.shape[1]
        return self

    def predict_baseline(self, X: object) -> np.ndarray:
        """Purchase probability without the offer."""
        features = np.asarray(X, dtype=float)
        if self.column_ is None:
            return _proba(self.model_control_, features)
        return _proba(self.model_control_, self._logit(self._score(features)))

    def predict_uplift(self, X: object) -> np.ndarray:
        return self.effect_.predict(self._logit(self.predict_baseline(X)))


LEARNERS: dict[str, type[BaseEstimator]] = {"T-learner": TLearner, "X-learner": XLearner,
                                            "Transformed outcome": TransformedOutcomeLearner,
                                            "Baseline-risk": BaselineRiskLearner}
"""Every uplift learner by its display name."""


def make_learner(name: str, random_state: int | None = None) -> BaseEstimator:
    """A learner of :data:`LEARNERS` with its default models, seeded."""
    if name not in LEARNERS:
        raise ValueError(f"unknown uplift learner {name!r}; known: {list(LEARNERS)}")
    return LEARNERS[name](random_state=random_state)
