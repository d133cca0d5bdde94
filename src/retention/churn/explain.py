"""Explanations: logistic-regression coefficients as associations, collinearity, permutation importance.

Coefficients of a logistic regression describe *associations* in past data with the other features
held fixed, not rules: they do not say what would happen if a customer changed one behaviour. When
features move together (orders in the last 90 days, the recent order trend and the total order count),
they share one effect between them, and the size and even the sign of a single coefficient can be an
artefact of that overlap. :func:`logistic_coefficients` therefore reports, next to each coefficient,
the feature's variance inflation factor (VIF), its most correlated partner, and whether the
coefficient's sign disagrees with the feature's association with churn on its own; the report can then
say which coefficients not to read alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from retention.churn.baselines import BTYDBaseline, RecencyBaseline
from retention.churn.design import binary_target
from retention.churn.models import MODEL_FEATURES
from retention.features import RECENT_DAYS

__all__ = ["COEFFICIENT_NOTE", "VIF_LIMIT", "logistic_members", "standardised_features", "logistic_coefficients",
           "collinearity_table", "permutation_importance_table"]

COEFFICIENT_NOTE = (
    "Coefficients describe associations in past data with the other features held fixed, not rules: they do "
    "not say what would happen if a customer changed one behaviour. Features that move together share their "
    "effect, so the size and even the sign of a single coefficient can be an artefact of the overlap."
)
"""One plain paragraph for the report (and a glossary) on how to read the coefficients."""

VIF_LIMIT = 5.0
"""Variance inflation factor above which a feature is flagged as collinear (a common rule of thumb)."""

# How each feature reads in words: the phrase for "a higher value".
_HIGHER: dict[str, str] = {
    "Recency": "more days since the last order",
    "Frequency": "more orders so far",
    "Monetary": "more spent in total",
    "Tenure": "a customer for longer",
    "PurchaseVelocity": "more days between orders",
    "AvgOrderValue": "larger orders",
    "ReturnRate": "a larger share returned",
    "UniqueProducts": "more different products bought",
    "PeakSeasonShare": "more of the spend in the peak season",
    f"Frequency_{RECENT_DAYS}d": f"more orders in the last {RECENT_DAYS} days",
    f"Monetary_{RECENT_DAYS}d": f"more spent in the last {RECENT_DAYS} days",
    "OrdersPerMonthRecentVsOverall": f"buying more often than usual in the last {RECENT_DAYS} days",
    "p_alive": "a higher purchase-model probability of being active",
    "p_no_purchase": "a higher purchase-model probability of no order in the horizon",
    "expected_purchases": "more orders expected by the purchase model",
}


def logistic_members(model: BaseEstimator) -> list[Pipeline]:
    """The fitted ModelFeatures -> StandardScaler -> LogisticRegression pipelines inside ``model``.

    ``model`` is a fitted logistic regression of :func:`~retention.churn.fit_models` (with or without the
    BTYD features: one pipeline per calibration fold) or such a pipeline itself.
    """
    members = list(getattr(model, "estimators_", [model]))
    for member in members:
        steps = getattr(member, "named_steps", {})
        if not (isinstance(steps.get("model"), LogisticRegression) and "scale" in steps and "features" in steps):
            raise ValueError("Expected a fitted 'Logistic regression' of fit_models (or its pipeline).")
        check_is_fitted(steps["model"])
    return members


def standardised_features(model: BaseEstimator, frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The standardised (log / log-odds transformed) features the logistic regression sees, and its coefficients.

    Both are averaged over the calibration folds' members (their scalings differ only slightly).
    """
    members = logistic_members(model)
    z = np.mean([m.named_steps["scale"].transform(m.named_steps["features"].transform(frame)) for m in members],
                axis=0)
    coef = np.mean([m.named_steps["model"].coef_[0] for m in members], axis=0)
    columns = members[0].named_steps["features"].columns_
    return pd.DataFrame(z, index=frame.index, columns=columns), coef


def collinearity_table(design: pd.DataFrame) -> pd.DataFrame:
    """Variance inflation factors and the most correlated partner of every column of a design matrix.

    ``VIF_j = 1 / (1 - R_j^2)``, where ``R_j^2`` is the share of column ``j``'s variance explained by the
    other columns: the diagonal of the inverse correlation matrix. A VIF of 5 means the coefficient's
    variance is five times what it would be without the overlap.

    Returns
    -------
    pandas.DataFrame
        Index = the columns; ``vif``, ``most_correlated_with``, ``correlation`` (signed) and ``collinear``
        (``vif > VIF_LIMIT``).
    """
    values = design.to_numpy(dtype=float)
    keep = values.std(axis=0) > 0
    corr = np.corrcoef(values[:, keep], rowvar=False).reshape(int(keep.sum()), int(keep.sum()))
    vif = np.full(values.shape[1], np.nan)
    vif[keep] = np.diag(np.linalg.pinv(corr))
    partner, partner_corr = [None] * values.shape[1], np.full(values.shape[1], np.nan)
    kept = np.flatnonzero(keep)
    off = corr - np.eye(corr.shape[0])
    for i, column in enumerate(kept):
        if corr.shape[0] > 1:
            j = int(np.argmax(np.abs(off[i])))
            partner[column], partner_corr[column] = design.columns[kept[j]], off[i, j]
    return pd.DataFrame({"vif": vif, "most_correlated_with": partner, "correlation": partner_corr,
                         "collinear": vif > VIF_LIMIT}, index=design.columns)


def _words(feature: str, coefficient: float) -> str:
    more = "more" if coefficient > 0 else "less" if coefficient < 0 else "neither more nor less"
    return f"{_HIGHER.get(feature, 'higher ' + feature)}: associated with {more} churn, other features equal"


def _caution(feature: str, row: pd.Series, coefficient: float, marginal: float,
             labels: Mapping[str, str] | None = None) -> str:
    notes = []
    if np.sign(marginal) != 0 and np.sign(coefficient) != np.sign(marginal):
        alone = "more" if marginal > 0 else "less"
        notes.append(f"on its own it goes with {alone} churn; the opposite sign here comes from overlapping features")
    if bool(row["collinear"]):
        partner = (labels or {}).get(row["most_correlated_with"], row["most_correlated_with"])
        notes.append(f"overlaps with {partner} (correlation {row['correlation']:+.2f}, "
                     f"VIF {row['vif']:.1f}): do not read it alone")
    return "; ".join(notes)


def logistic_coefficients(fitted_lr: BaseEstimator, X: pd.DataFrame | None = None, y: Any = None, *,
                          labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Coefficients of the logistic regression on standardised features, as associations in words.

    Parameters
    ----------
    fitted_lr : fitted estimator
        A logistic regression of :func:`~retention.churn.fit_models`; the coefficients of its calibration
        folds' members are averaged (calibration is monotone, so the directions carry over to the
        probabilities).
    X : pandas.DataFrame, optional
        The training examples; with them the table gets the collinearity columns.
    y : array-like, optional
        Their labels; with them (and ``X``) the table gets each feature's association with churn on its
        own (``marginal_correlation``) and a ``caution`` when the coefficient's sign disagrees with it.
    labels : mapping of str to str, optional
        How to name features in the ``caution`` texts (e.g. the report's column labels); machine names otherwise.

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``coefficient`` (change in the log-odds of churn per standard deviation, other
        features fixed), ``odds_ratio`` and ``association`` in plain words; with ``X`` also ``vif``,
        ``most_correlated_with``, ``correlation``, ``collinear``; with ``y`` also
        ``marginal_correlation``, ``sign_differs`` and ``caution`` ("" when there is nothing to add).
        Sorted by absolute coefficient, largest first. See :data:`COEFFICIENT_NOTE`.
    """
    members = logistic_members(fitted_lr)
    names = list(members[0].named_steps["features"].columns_)
    coef = np.mean([m.named_steps["model"].coef_[0] for m in members], axis=0)
    table = pd.DataFrame({"feature": names, "coefficient": coef, "odds_ratio": np.exp(coef),
                          "association": [_words(n, c) for n, c in zip(names, coef, strict=True)]})
    if X is not None:
        design, _ = standardised_features(fitted_lr, X)
        table = table.join(collinearity_table(design), on="feature")
        if y is not None:
            target = binary_target(y).astype(float)
            marginal = [float(np.corrcoef(design[n], target)[0, 1]) if design[n].std() > 0 else 0.0 for n in names]
            table["marginal_correlation"] = marginal
            table["sign_differs"] = np.sign(table["coefficient"]) != np.sign(table["marginal_correlation"])
            table["caution"] = [_caution(row["feature"], row, row["coefficient"], row["marginal_correlation"],
                                         labels) for _, row in table.iterrows()]
    order = np.argsort(-np.abs(coef), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def _model_columns(model: BaseEstimator, X: pd.DataFrame) -> list[str]:
    """The feature columns a fitted model reads (for permutation importance)."""
    if isinstance(model, RecencyBaseline):
        return ["Recency"]
    if isinstance(model, BTYDBaseline):
        return [model.column]
    steps = getattr(getattr(model, "estimators_", [model])[0], "named_steps", {})
    if "features" in steps:
        return list(steps["features"].columns_)
    return [c for c in MODEL_FEATURES if c in X.columns]


def permutation_importance_table(model: BaseEstimator, X: pd.DataFrame, y: Any, seed: int,
                                 n_repeats: int = 3, max_rows: int | None = 3000) -> pd.DataFrame:
    """Drop in ROC-AUC when each feature is shuffled (model-agnostic; use held-out data).

    Parameters
    ----------
    model : fitted estimator
        Any model of :func:`~retention.churn.fit_models`.
    X : pandas.DataFrame
        Feature frame (e.g. the validation examples); only the model's feature columns are shuffled.
    y : array-like
        Labels 0/1 of ``X``.
    seed : int
        Random state of the shuffles.
    n_repeats : int, default 3
        Shuffles per feature.
    max_rows : int or None, default 3000
        Score a seeded random sample of at most this many rows (None: all rows), the same for the reference and
        every shuffle, so the cost does not grow with the number of customers.

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``importance_mean``, ``importance_std`` (ROC-AUC points lost), largest first.
    """
    columns = _model_columns(model, X)
    target = binary_target(y)
    rows = np.arange(len(X))
    if max_rows is not None and len(X) > max_rows:
        # One seeded sample for the reference score and every shuffle alike (scikit-learn's max_samples scores the
        # reference on all rows and the shuffles on a subsample, which biases small importances).
        rows = np.sort(np.random.default_rng(seed).choice(len(X), size=int(max_rows), replace=False))
    result = permutation_importance(model, X[columns].iloc[rows], target[rows], scoring="roc_auc",
                                    n_repeats=n_repeats, random_state=seed, n_jobs=1)
    table = pd.DataFrame({"feature": columns, "importance_mean": result.importances_mean,
                          "importance_std": result.importances_std})
    order = np.argsort(-table["importance_mean"].to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)
