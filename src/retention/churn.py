"""Non-contractual churn: out-of-time labels, a recency baseline, tuned and calibrated models, explanations.

The definition
--------------
A customer with at least one purchase on or before the cutoff day ``T`` has *churned* (label 1) when
they make no purchase in the ``H = horizon_days`` days after it, i.e. in the calendar days
``T + 1, ..., T + H`` (both included). Features come from :func:`retention.features.customer_features`,
which never reads past the cutoff day; labels come only from the window after it.

The design (no leakage)
-----------------------
:func:`plan_cutoffs` places the cutoffs on the calendar::

    first date ... [train cutoffs, spacing_days apart] ... train_last --H-- validation --H-- last date
                                                                                          (= live)

* The *validation* cutoff is ``last date - H``: its label window ends exactly on the data's last day.
* The latest *training* cutoff is ``validation - H``, so every training label window ends on or before
  the validation cutoff: the validation labels are out-of-time, nothing about them was seen in training.
* *Live* scoring uses the last date as the cutoff; its labels lie in the future.

:func:`fit_models` chooses hyper-parameters by cross-validation on the training examples only, with
folds grouped by CustomerID (one customer's rows at several cutoffs never sit on both sides of a split),
and calibrates every model (Platt scaling by default) with the same grouped folds, again on training
data only. The validation
cutoff is touched once, by :func:`evaluate`. :func:`refit_and_score` then refits the chosen model on
every labelled cutoff (training + validation) and scores the live customers.

Models
------
* ``"Recency baseline"`` (:class:`RecencyBaseline`): churn when the recency is above a threshold tuned
  on the training data; probabilities from an isotonic map recency -> churn rate.
* ``"Logistic regression"``: log1p of the skewed counts and amounts, standardised, L2-penalised (the
  production model: explainable with :func:`logistic_coefficients` and :func:`top_reasons`).
* ``"Random forest"`` and ``"Gradient boosting"`` (HistGradientBoosting): challengers.

Everything random is seeded, and the folds are not shuffled: the same seed gives bit-identical
probabilities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.inspection import permutation_importance
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from retention.features import RECENT_DAYS, as_day, customer_features
from retention.metrics import classification_report_at

__all__ = [
    "TARGET",
    "BASELINE_NAME",
    "PRODUCTION_MODEL",
    "MODEL_FEATURES",
    "LOG_FEATURES",
    "PARAM_GRIDS",
    "SEARCH_OVERRIDES",
    "ChurnDesign",
    "CutoffPlan",
    "Evaluation",
    "ModelFeatures",
    "RecencyBaseline",
    "plan_cutoffs",
    "churn_labels",
    "features_at",
    "build_examples",
    "make_models",
    "calibrate",
    "fit_models",
    "predict_churn",
    "evaluate",
    "beats_baseline",
    "refit",
    "refit_and_score",
    "chosen_hyperparameters",
    "logistic_coefficients",
    "permutation_importance_table",
    "top_reasons",
    "risk_band",
    "BGNBDBaseline",
]

TARGET = "churned"
"""Name of the label column: 1 = no purchase in the horizon after the cutoff, 0 = bought again."""

BASELINE_NAME = "Recency baseline"
PRODUCTION_MODEL = "Logistic regression"

MODEL_FEATURES: tuple[str, ...] = (
    "Recency", "Frequency", "Monetary", "Tenure", "PurchaseVelocity", "AvgOrderValue", "ReturnRate",
    "UniqueProducts", "PeakSeasonShare", f"Frequency_{RECENT_DAYS}d", f"Monetary_{RECENT_DAYS}d",
    "OrdersPerMonthRecentVsOverall",
)
"""Numeric columns of :func:`~retention.features.customer_features` the models read."""

LOG_FEATURES: tuple[str, ...] = (
    "Recency", "Frequency", "Monetary", "Tenure", "PurchaseVelocity", "AvgOrderValue", "UniqueProducts",
    f"Frequency_{RECENT_DAYS}d", f"Monetary_{RECENT_DAYS}d", "OrdersPerMonthRecentVsOverall",
)
"""Skewed, non-negative columns that get ``log1p`` before the logistic regression (not the shares)."""

_FILL_ZERO: tuple[str, ...] = ("UniqueProducts",)

PARAM_GRIDS: dict[str, dict[str, list[Any]]] = {
    "Logistic regression": {"model__C": [0.01, 0.1, 1.0, 10.0]},
    "Random forest": {"model__max_depth": [4, 8], "model__min_samples_leaf": [25, 100]},
    "Gradient boosting": {"model__learning_rate": [0.03, 0.1], "model__max_leaf_nodes": [4, 12]},
}
"""The small hyper-parameter grids searched by :func:`fit_models` (scoring: negative log loss)."""

SEARCH_OVERRIDES: dict[str, dict[str, Any]] = {"Random forest": {"model__n_estimators": 50}}
"""Settings used only while searching the grid, to keep it fast: the forest grows 50 trees per candidate
(the tree count changes the noise of the score, not which depth or leaf size is best) and 200 when the
chosen setting is fitted and calibrated."""

# How each feature reads in words: the phrase for "a higher value", used by logistic_coefficients.
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
}


# ---------------------------------------------------------------------------------------------------------
# Design and cutoffs
# ---------------------------------------------------------------------------------------------------------


def _check_whole(value: Any, name: str, minimum: int) -> None:
    """Raise ValueError unless ``value`` is a whole number (not bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}.")


@dataclass(frozen=True)
class ChurnDesign:
    """How churn is defined and where the cutoffs go.

    Parameters
    ----------
    horizon_days : int, default 90
        ``H``: a customer churned when they make no purchase in the ``H`` days after the cutoff day.
    n_train_cutoffs : int, default 4
        At most this many training cutoffs (fewer when the data is too short).
    spacing_days : int, default 30
        Days between consecutive training cutoffs. Training label windows may overlap each other;
        they never overlap the validation label window.
    min_history_days : int, default 90
        The first training cutoff is at least this many days after the data's first date, so every
        customer has had a chance to build some history.
    feature_window_days : int, optional
        Passed to ``customer_features(window_days=...)``: only the last ``feature_window_days`` days
        before each cutoff are used, and only customers with a purchase in that window are scored.
        None (default) uses all history before the cutoff.
    peak_months : tuple of int, default (10, 11, 12)
        Months counted as the peak season by ``customer_features``.
    """

    horizon_days: int = 90
    n_train_cutoffs: int = 4
    spacing_days: int = 30
    min_history_days: int = 90
    feature_window_days: int | None = None
    peak_months: tuple[int, ...] = (10, 11, 12)

    def __post_init__(self) -> None:
        _check_whole(self.horizon_days, "horizon_days", 1)
        _check_whole(self.n_train_cutoffs, "n_train_cutoffs", 1)
        _check_whole(self.spacing_days, "spacing_days", 1)
        _check_whole(self.min_history_days, "min_history_days", 0)
        if self.feature_window_days is not None:
            _check_whole(self.feature_window_days, "feature_window_days", 1)
        object.__setattr__(self, "peak_months", tuple(int(m) for m in self.peak_months))


@dataclass(frozen=True)
class CutoffPlan:
    """Cutoff days (midnight timestamps) of an out-of-time churn design.

    Attributes
    ----------
    train : list of pandas.Timestamp
        Training cutoffs, oldest first; the latest is ``validation - horizon``.
    validation : pandas.Timestamp
        The out-of-time validation cutoff, ``live - horizon``.
    live : pandas.Timestamp
        The data's last date: the cutoff for scoring customers today (no label yet).
    """

    train: list[pd.Timestamp]
    validation: pd.Timestamp
    live: pd.Timestamp

    @property
    def labelled(self) -> list[pd.Timestamp]:
        """Every cutoff with a complete label window: the training cutoffs, then the validation cutoff."""
        return [*self.train, self.validation]


def _as_day(value: Any, name: str) -> pd.Timestamp:
    """``value`` as a midnight :class:`pandas.Timestamp`, with a clear error when it is not a date."""
    return as_day(value, name).normalize()


def plan_cutoffs(first_date: Any, last_date: Any, design: ChurnDesign) -> CutoffPlan:
    """Place the training, validation and live cutoffs for an out-of-time evaluation.

    Parameters
    ----------
    first_date, last_date : date-like
        First and last day of the transaction data (times of day are dropped).
    design : ChurnDesign
        Horizon, number and spacing of training cutoffs, minimum history.

    Returns
    -------
    CutoffPlan
        ``validation = last_date - H``; training cutoffs ``validation - H - k * spacing_days`` for
        ``k = 0, 1, ...`` while on or after ``first_date + min_history_days``, at most
        ``n_train_cutoffs`` of them, oldest first; ``live = last_date``.

    Raises
    ------
    ValueError
        When not a single training cutoff fits; the message names the dates and what to change.
    """
    first, last = _as_day(first_date, "first_date"), _as_day(last_date, "last_date")
    if last <= first:
        raise ValueError(f"last_date {last.date()} must be after first_date {first.date()}.")
    horizon = pd.Timedelta(days=design.horizon_days)
    validation = last - horizon
    latest = validation - horizon
    earliest = first + pd.Timedelta(days=design.min_history_days)
    if latest < earliest:
        needed = 2 * design.horizon_days + design.min_history_days
        raise ValueError(
            f"The data is too short for an out-of-time churn design: it runs from {first.date()} to "
            f"{last.date()} ({(last - first).days} days). With horizon_days={design.horizon_days} the "
            f"validation cutoff is {validation.date()} and the latest training cutoff would be {latest.date()}, "
            f"but training cutoffs must be on or after {earliest.date()} "
            f"(first date + min_history_days={design.min_history_days}). This needs at least {needed} days of "
            f"data: use a shorter horizon_days or a smaller min_history_days (or more data); n_train_cutoffs "
            f"and spacing_days only decide how many more cutoffs fit once one does."
        )
    spacing = pd.Timedelta(days=design.spacing_days)
    train = [latest - k * spacing for k in range(design.n_train_cutoffs) if latest - k * spacing >= earliest]
    return CutoffPlan(train=sorted(train), validation=validation, live=last)


# ---------------------------------------------------------------------------------------------------------
# Labels and examples
# ---------------------------------------------------------------------------------------------------------


def _check_log(transactions: pd.DataFrame) -> None:
    """Raise ValueError unless ``transactions`` has a datetime InvoiceDate and a complete CustomerID."""
    if not isinstance(transactions, pd.DataFrame):
        raise ValueError(f"transactions must be a pandas DataFrame, not {type(transactions).__name__}.")
    missing = [c for c in ("InvoiceDate", "CustomerID") if c not in transactions.columns]
    if missing:
        raise ValueError(f"transactions is missing column(s) {missing}.")
    if not pd.api.types.is_datetime64_any_dtype(transactions["InvoiceDate"]):
        raise ValueError("transactions['InvoiceDate'] must have a datetime64 dtype; use pd.to_datetime first.")
    if transactions["CustomerID"].isna().any() or transactions["InvoiceDate"].isna().any():
        raise ValueError("transactions has lines without CustomerID or InvoiceDate; clean them first.")
    if transactions.empty:
        raise ValueError("transactions is empty.")


def _localise(day: pd.Timestamp, dates: pd.Series) -> pd.Timestamp:
    """``day`` in the time zone of ``dates`` when they have one."""
    tz = getattr(dates.dtype, "tz", None)
    return day.tz_localize(tz) if tz is not None and day.tzinfo is None else day


def churn_labels(transactions: pd.DataFrame, cutoff: Any, horizon_days: int, *,
                 data_end: Any = None) -> pd.Series:
    """Churn label per customer active on or before the cutoff day.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Clean purchase lines with InvoiceDate (datetime64) and CustomerID.
    cutoff : date-like
        The cutoff day ``T`` (a time of day is ignored; the whole day belongs to the past).
    horizon_days : int
        ``H``. The label window is the days ``T + 1`` to ``T + H``, both included.
    data_end : date-like, optional
        The last day the data covers; default: the day of the latest InvoiceDate.

    Returns
    -------
    pandas.Series
        Named :data:`TARGET`, index CustomerID (sorted), int64: 1 when the customer made no purchase in
        the label window, 0 when they did. Only customers with a purchase on or before the cutoff day
        are labelled; customers who first buy after it are not in the Series.

    Raises
    ------
    ValueError
        When the label window runs past the data's last day: customers buying after it would be
        mislabelled as churned.
    """
    _check_log(transactions)
    _check_whole(horizon_days, "horizon_days", 1)
    dates = transactions["InvoiceDate"]
    day = _localise(_as_day(cutoff, "cutoff"), dates)
    end = dates.max().normalize() if data_end is None else _localise(_as_day(data_end, "data_end"), dates)
    window_end = day + pd.Timedelta(days=horizon_days)
    if window_end > end:
        raise ValueError(
            f"The {horizon_days}-day label window after the cutoff {day.date()} runs to {window_end.date()}, past "
            f"the data's last day {end.date()}: customers who buy after {end.date()} would be labelled as churned. "
            f"Use a cutoff on or before {(end - pd.Timedelta(days=horizon_days)).date()} or a shorter horizon."
        )
    start = day + pd.Timedelta(days=1)
    ids = transactions["CustomerID"]
    active = pd.Index(ids[dates < start].unique()).sort_values()
    if active.empty:
        raise ValueError(f"No customer has a purchase on or before the cutoff {day.date()}.")
    returned = pd.Index(ids[(dates >= start) & (dates < start + pd.Timedelta(days=horizon_days))].unique())
    labels = pd.Series((~active.isin(returned)).astype(np.int64), index=active, name=TARGET)
    labels.index.name = "CustomerID"
    return labels


def features_at(transactions: pd.DataFrame, cutoff: Any, design: ChurnDesign,
                returns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customer features as of ``cutoff`` with the design's window and peak months (no label).

    Use it for live scoring at ``plan.live``; it is :func:`~retention.features.customer_features` with
    ``peak_months`` and ``window_days`` taken from ``design``, indexed by CustomerID.
    """
    return customer_features(transactions, cutoff, returns=returns, peak_months=design.peak_months,
                             window_days=design.feature_window_days)


def build_examples(transactions: pd.DataFrame, cutoffs: Iterable[Any], design: ChurnDesign,
                   returns: pd.DataFrame | None = None, *, data_end: Any = None) -> pd.DataFrame:
    """Stack (features as of the cutoff, label after it) for every customer at every cutoff.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Clean purchase lines (see :func:`~retention.features.customer_features`).
    cutoffs : iterable of date-like
        Cutoff days, each with a complete label window (see :func:`churn_labels`).
    design : ChurnDesign
        Horizon, feature window and peak months.
    returns : pandas.DataFrame, optional
        Cancellation lines of identified customers, for the return features.
    data_end : date-like, optional
        The data's last day (default: the latest InvoiceDate's day).

    Returns
    -------
    pandas.DataFrame
        One row per (cutoff, customer), sorted by cutoff then CustomerID, RangeIndex: ``CustomerID``,
        ``cutoff`` (midnight timestamp), the feature columns, and :data:`TARGET`. Features only use lines
        up to the cutoff day, labels only the window after it. With ``feature_window_days`` only
        customers with a purchase in the window appear.
    """
    frames = []
    for cutoff in cutoffs:
        day = _as_day(cutoff, "cutoff")
        features = features_at(transactions, day, design, returns)
        labels = churn_labels(transactions, day, design.horizon_days, data_end=data_end)
        frame = features.join(labels, how="inner")
        frame.insert(0, "cutoff", day)
        frames.append(frame.reset_index())
    if not frames:
        raise ValueError("cutoffs is empty; pass at least one cutoff day.")
    examples = pd.concat(frames, ignore_index=True)
    return examples.sort_values(["cutoff", "CustomerID"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------------------------------------


class ModelFeatures(TransformerMixin, BaseEstimator):
    """Pick the model columns from a feature frame, fill gaps and optionally apply log1p.

    Parameters
    ----------
    columns : sequence of str, default MODEL_FEATURES
        Columns to use. Columns that are entirely missing in the training frame (e.g. UniqueProducts
        when the data has no StockCode) are dropped at ``fit``.
    log_columns : sequence of str, default LOG_FEATURES
        Columns transformed with ``log1p`` (after flooring at 0) when ``log`` is True.
    log : bool, default True
        Apply the log transform (useful for linear models; tree models do not need it).

    Attributes
    ----------
    columns_ : list of str
        The columns used, in order (the order of the output matrix).
    """

    def __init__(self, columns: Sequence[str] = MODEL_FEATURES, log_columns: Sequence[str] = LOG_FEATURES,
                 log: bool = True) -> None:
        self.columns = columns
        self.log_columns = log_columns
        self.log = log

    def fit(self, X: pd.DataFrame, y: Any = None) -> ModelFeatures:
        """Learn which of ``columns`` are usable (present and not all missing) in ``X``."""
        if not isinstance(X, pd.DataFrame):
            raise ValueError(f"X must be a DataFrame of customer features, not {type(X).__name__}.")
        missing = [c for c in self.columns if c not in X.columns and c not in _FILL_ZERO]
        if missing:
            raise ValueError(f"X is missing feature column(s) {missing}.")
        self.columns_ = [c for c in self.columns if c in X.columns and X[c].notna().any()]
        self.n_features_out_ = len(self.columns_)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """The float matrix of ``columns_`` (NaN UniqueProducts -> 0; log1p of the skewed columns)."""
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
        return frame.to_numpy(dtype=float)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The names of the output columns (``columns_``)."""
        check_is_fitted(self, "columns_")
        return np.asarray(self.columns_, dtype=object)


def _recency_values(X: Any) -> np.ndarray:
    """The Recency column of a feature frame, or the single column of an array, as floats."""
    if isinstance(X, pd.DataFrame):
        if "Recency" not in X.columns:
            raise ValueError("X has no 'Recency' column.")
        values = X["Recency"].to_numpy(dtype=float)
    else:
        values = np.asarray(X, dtype=float)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1:
            raise ValueError(f"X must be a feature DataFrame or a single column of recencies, got shape "
                             f"{values.shape}.")
    if np.isnan(values).any():
        raise ValueError("Recency has missing values.")
    return values


def _binary_target(y: Any) -> np.ndarray:
    """``y`` as an int 0/1 array containing both classes."""
    values = np.asarray(y)
    if pd.isna(values).any() or not np.isin(values, [0, 1]).all():
        raise ValueError("y must hold only 0 (stayed) and 1 (churned).")
    values = values.astype(np.int64)
    if np.unique(values).size < 2:
        raise ValueError("y holds a single class; a churn model needs churners and stayers.")
    return values


def _best_recency_threshold(recency: np.ndarray, y: np.ndarray, criterion: str) -> float:
    """The observed recency ``t`` whose rule ``recency > t`` maximises the criterion (smallest on ties)."""
    values, inverse = np.unique(recency, return_inverse=True)
    positives = np.bincount(inverse, weights=y, minlength=values.size)
    negatives = np.bincount(inverse, weights=1 - y, minlength=values.size)
    n_pos, n_neg = positives.sum(), negatives.sum()
    true_pos = n_pos - np.cumsum(positives)  # churners with recency above t
    true_neg = np.cumsum(negatives)  # stayers with recency at or below t
    if criterion == "balanced_accuracy":
        score = 0.5 * (true_pos / n_pos + true_neg / n_neg)
    elif criterion == "accuracy":
        score = (true_pos + true_neg) / (n_pos + n_neg)
    else:
        raise ValueError(f"criterion must be 'balanced_accuracy' or 'accuracy', got {criterion!r}.")
    return float(values[int(np.argmax(score))])


class RecencyBaseline(ClassifierMixin, BaseEstimator):
    """The rule a shop would use without a model: "no order for a long time" means churn.

    ``fit`` picks the threshold among the observed recencies (rule: churn when ``Recency > threshold_``)
    that maximises the *balanced accuracy* on the training data by default (the mean of the recall of
    churners and of stayers, so the rule is not pushed to "everyone churns" when most customers do),
    and fits an isotonic (non-decreasing) map from recency to the training churn rate, so the baseline
    has calibrated probabilities for ROC-AUC, Brier score and log loss like the models.

    Parameters
    ----------
    criterion : {"balanced_accuracy", "accuracy"}, default "balanced_accuracy"
        What the threshold maximises on the training data. Ties go to the smallest threshold.

    Attributes
    ----------
    threshold_ : float
        Customers with ``Recency > threshold_`` are predicted to churn.
    isotonic_ : sklearn.isotonic.IsotonicRegression
        The map recency -> churn probability (clipped outside the training range).
    classes_ : numpy.ndarray
        ``[0, 1]``.
    """

    def __init__(self, criterion: str = "balanced_accuracy") -> None:
        self.criterion = criterion

    def fit(self, X: Any, y: Any) -> RecencyBaseline:
        """Tune ``threshold_`` and fit the isotonic probability map on the Recency column of ``X``."""
        recency = _recency_values(X)
        target = _binary_target(y)
        if recency.shape[0] != target.shape[0]:
            raise ValueError(f"X has {recency.shape[0]} rows but y has {target.shape[0]}.")
        self.threshold_ = _best_recency_threshold(recency, target, self.criterion)
        self.isotonic_ = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        self.isotonic_.fit(recency, target)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns P(stay), P(churn) from the isotonic map of Recency."""
        check_is_fitted(self, "isotonic_")
        churn = np.clip(self.isotonic_.predict(_recency_values(X)), 0.0, 1.0)
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: Any) -> np.ndarray:
        """1 (churn) when ``Recency > threshold_``, else 0."""
        check_is_fitted(self, "threshold_")
        return (_recency_values(X) > self.threshold_).astype(np.int64)


def make_models(seed: int) -> dict[str, Pipeline]:
    """The unfitted machine-learning models, seeded, before tuning.

    Parameters
    ----------
    seed : int
        ``random_state`` of the random forest and the gradient boosting.

    Returns
    -------
    dict of str to sklearn.pipeline.Pipeline
        ``"Logistic regression"`` (ModelFeatures with log1p -> StandardScaler -> LogisticRegression),
        ``"Random forest"`` (200 trees, each on a bootstrap sample of half the rows, ``n_jobs=1``) and
        ``"Gradient boosting"`` (HistGradientBoostingClassifier, 100 iterations, no early stopping).
        Each pipeline starts with :class:`ModelFeatures` (so it accepts a whole feature frame) and ends
        with a step named ``"model"``; :data:`PARAM_GRIDS` holds the grids searched by :func:`fit_models`.
    """
    return {
        "Logistic regression": Pipeline([
            ("features", ModelFeatures(log=True)),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=1.0, max_iter=2000)),
        ]),
        "Random forest": Pipeline([
            ("features", ModelFeatures(log=False)),
            ("model", RandomForestClassifier(n_estimators=200, max_depth=8, min_samples_leaf=25,
                                             max_features="sqrt", max_samples=0.5, n_jobs=1,
                                             random_state=seed)),
        ]),
        "Gradient boosting": Pipeline([
            ("features", ModelFeatures(log=False)),
            ("model", HistGradientBoostingClassifier(learning_rate=0.1, max_iter=100, max_leaf_nodes=12,
                                                     min_samples_leaf=40, l2_regularization=1.0,
                                                     early_stopping=False, random_state=seed)),
        ]),
    }


def _training_data(examples: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Features, labels and integer customer groups of labelled examples."""
    missing = [c for c in (TARGET, "CustomerID") if c not in examples.columns]
    if missing:
        raise ValueError(f"examples is missing column(s) {missing}; build them with build_examples.")
    y = _binary_target(examples[TARGET])
    groups = pd.factorize(examples["CustomerID"])[0]
    return examples, y, groups


def _group_folds(X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, n_folds: int) -> list[tuple]:
    """Deterministic GroupKFold splits: a customer's rows are all on one side of every split."""
    _check_whole(n_folds, "cv_folds", 2)
    n_groups = np.unique(groups).size
    if n_groups < n_folds:
        raise ValueError(f"Only {n_groups} customer(s) for {n_folds} grouped folds; use fewer cv_folds.")
    return list(GroupKFold(n_splits=n_folds).split(X, y, groups))


def calibrate(estimator: BaseEstimator, X: pd.DataFrame, y: Any, groups: Any, *, method: str = "sigmoid",
              cv_folds: int = 3) -> CalibratedClassifierCV:
    """Fit ``estimator`` and calibrate it on grouped cross-validation folds of the same (training) data.

    For each of ``cv_folds`` GroupKFold splits, a clone is fitted on the training part and a calibrator
    (isotonic or sigmoid) on its predictions for the held-out part; the result averages the pairs
    (``CalibratedClassifierCV(ensemble=True)``). No data outside ``X`` is used. Pass a model whose
    hyper-parameters are already chosen: the calibrated result keeps its settings.

    Parameters
    ----------
    estimator : sklearn estimator
        An unfitted classifier with ``predict_proba`` (or ``decision_function``).
    X : pandas.DataFrame
        Training features.
    y : array-like
        Training labels 0/1.
    groups : array-like
        Customer of each row; one customer never sits on both sides of a split.
    method : {"sigmoid", "isotonic"}, default "sigmoid"
        Calibration map: Platt scaling (a logistic curve on the model's score) or a step function.
    cv_folds : int, default 3
        Number of grouped folds.

    Returns
    -------
    sklearn.calibration.CalibratedClassifierCV
        Fitted.
    """
    if method not in ("isotonic", "sigmoid"):
        raise ValueError(f"method must be 'isotonic' or 'sigmoid', got {method!r}.")
    target = _binary_target(y)
    folds = _group_folds(X, target, np.asarray(groups), cv_folds)
    calibrated = CalibratedClassifierCV(estimator=clone(estimator), method=method, cv=folds, ensemble=True)
    return calibrated.fit(X, target)


def _tuned(estimator: Pipeline, grid: Mapping[str, list[Any]], X: pd.DataFrame, y: np.ndarray,
           groups: np.ndarray, cv_folds: int, search_overrides: Mapping[str, Any] | None = None) -> Pipeline:
    """An unfitted clone of ``estimator`` with the grid point of best grouped-CV log loss.

    ``search_overrides`` are set on the estimator during the search only (e.g. fewer trees).
    """
    searched = clone(estimator).set_params(**dict(search_overrides or {}))
    search = GridSearchCV(searched, dict(grid), scoring="neg_log_loss",
                          cv=_group_folds(X, y, groups, cv_folds), refit=False, n_jobs=1, error_score="raise")
    search.fit(X, y)
    return clone(estimator).set_params(**search.best_params_)


def fit_models(examples: pd.DataFrame, seed: int, cv_folds: int = 3, *, calibration: str = "sigmoid",
               names: Iterable[str] | None = None) -> dict[str, BaseEstimator]:
    """Tune, fit and calibrate the baseline and the models on training examples only.

    Parameters
    ----------
    examples : pandas.DataFrame
        Labelled training examples from :func:`build_examples` (training cutoffs only when the
        validation cutoff is to stay out-of-time).
    seed : int
        Random state of every model.
    cv_folds : int, default 3
        Grouped folds (by CustomerID) for both the grid search and the calibration.
    calibration : {"sigmoid", "isotonic"}, default "sigmoid"
        Calibration map of the machine-learning models (the baseline is isotonic by construction).
        Sigmoid (Platt) is the default: it is monotone and smooth, so it keeps each model's ranking
        (ROC-AUC) intact, whereas isotonic steps create ties; the models are tuned on log loss and
        need only a small correction.
    names : iterable of str, optional
        Fit only these models (default: the baseline and every model of :func:`make_models`).

    Returns
    -------
    dict of str to fitted estimator
        ``BASELINE_NAME`` -> :class:`RecencyBaseline`, then each model name -> a fitted
        :class:`~sklearn.calibration.CalibratedClassifierCV` around the tuned pipeline. Every estimator
        takes a feature frame (extra columns are ignored) in ``predict_proba``.

    Notes
    -----
    Fitting runs on one thread (``n_jobs=1`` and OpenMP/BLAS limited to one thread while fitting): on a
    busy shared machine multi-threaded gradient boosting can be several times slower, and the result
    must not depend on the thread count. About 5 seconds for 4 cutoffs x ~2,300 customers.
    """
    X, y, groups = _training_data(examples)
    candidates = make_models(seed)
    wanted = [BASELINE_NAME, *candidates] if names is None else list(names)
    unknown = [n for n in wanted if n != BASELINE_NAME and n not in candidates]
    if unknown:
        raise ValueError(f"Unknown model name(s) {unknown}; choose from {[BASELINE_NAME, *candidates]}.")
    fitted: dict[str, BaseEstimator] = {}
    with threadpool_limits(limits=1):  # predictable run time on shared machines; n_jobs=1 everywhere too
        for name in wanted:
            if name == BASELINE_NAME:
                fitted[name] = RecencyBaseline().fit(X, y)
                continue
            best = _tuned(candidates[name], PARAM_GRIDS[name], X, y, groups, cv_folds, SEARCH_OVERRIDES.get(name))
            fitted[name] = calibrate(best, X, y, groups, method=calibration, cv_folds=cv_folds)
    return fitted


def predict_churn(model: BaseEstimator, frame: pd.DataFrame) -> pd.Series:
    """Churn probabilities of a fitted model for a feature frame, aligned with ``frame.index``."""
    proba = model.predict_proba(frame)[:, 1]
    return pd.Series(proba, index=frame.index, name="churn_probability")


# ---------------------------------------------------------------------------------------------------------
# Evaluation, refit and live scoring
# ---------------------------------------------------------------------------------------------------------


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


def evaluate(models: Mapping[str, BaseEstimator], validation_examples: pd.DataFrame,
             threshold: float = 0.5) -> Evaluation:
    """Score every fitted model on the out-of-time validation examples.

    Parameters
    ----------
    models : mapping of str to fitted estimator
        E.g. the output of :func:`fit_models`, optionally with more baselines (anything with
        ``predict_proba`` on a feature frame, such as a BG/NBD wrapper).
    validation_examples : pandas.DataFrame
        Labelled examples at the validation cutoff, never used for fitting.
    threshold : float, default 0.5
        Decision threshold for accuracy, precision, recall, F1 (e.g. :func:`cost_optimal_threshold`).

    Returns
    -------
    Evaluation
        The table (one row per model, in the order of ``models``) and the probabilities.
    """
    if not models:
        raise ValueError("models is empty.")
    y_true = pd.Series(_binary_target(validation_examples[TARGET]), index=validation_examples.index, name=TARGET)
    probabilities = pd.DataFrame({name: predict_churn(model, validation_examples) for name, model in models.items()})
    rows = {name: classification_report_at(y_true, probabilities[name], threshold) for name in models}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["threshold"] = float(threshold)
    table.index.name = "model"
    return Evaluation(table=table, probabilities=probabilities, y_true=y_true)


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
    sign = -1.0 if metric in ("brier", "log_loss") else 1.0
    others = table.drop(index=baseline)
    base_value = float(table.loc[baseline, metric])
    gain = sign * (others[metric].astype(float) - base_value)
    return pd.DataFrame({"metric": metric, "model_value": others[metric].astype(float),
                         "baseline_value": base_value, "gain": gain, "beats": gain > min_gain})


def refit(chosen_name: str, examples: pd.DataFrame, seed: int, cv_folds: int = 3, *,
          calibration: str = "sigmoid") -> BaseEstimator:
    """Tune, fit and calibrate one model again on all labelled examples (training + validation cutoffs)."""
    return fit_models(examples, seed, cv_folds, calibration=calibration, names=[chosen_name])[chosen_name]


def refit_and_score(chosen_name: str, examples_all_labelled: pd.DataFrame, live_features: pd.DataFrame,
                    seed: int, cv_folds: int = 3, *, calibration: str = "sigmoid") -> pd.Series:
    """Refit the chosen model on every labelled cutoff and score the live customers.

    Parameters
    ----------
    chosen_name : str
        A name from :func:`fit_models` (e.g. :data:`PRODUCTION_MODEL`).
    examples_all_labelled : pandas.DataFrame
        :func:`build_examples` at ``plan.labelled`` (training and validation cutoffs).
    live_features : pandas.DataFrame
        :func:`features_at` at ``plan.live`` (no label exists yet).
    seed, cv_folds, calibration
        As in :func:`fit_models`.

    Returns
    -------
    pandas.Series
        Churn probability in the next ``horizon_days`` for every live customer, index of
        ``live_features``. Use :func:`refit` and :func:`predict_churn` to keep the model as well.
    """
    model = refit(chosen_name, examples_all_labelled, seed, cv_folds, calibration=calibration)
    return predict_churn(model, live_features)


def chosen_hyperparameters(models: Mapping[str, BaseEstimator]) -> pd.DataFrame:
    """The grid values :func:`fit_models` picked, one row per tuned model (parameter, value)."""
    rows = []
    for name, model in models.items():
        inner = getattr(model, "estimator", None)
        if name not in PARAM_GRIDS or inner is None:
            continue
        params = inner.get_params()
        rows += [{"model": name, "parameter": key.removeprefix("model__"), "value": params[key]}
                 for key in PARAM_GRIDS[name]]
    return pd.DataFrame(rows, columns=["model", "parameter", "value"])


# ---------------------------------------------------------------------------------------------------------
# Explanations
# ---------------------------------------------------------------------------------------------------------


def _logistic_members(fitted_lr: BaseEstimator) -> list[Pipeline]:
    """The fitted ModelFeatures -> StandardScaler -> LogisticRegression pipelines inside ``fitted_lr``."""
    if hasattr(fitted_lr, "calibrated_classifiers_"):
        members = [c.estimator for c in fitted_lr.calibrated_classifiers_]
    else:
        members = [fitted_lr]
    for member in members:
        steps = getattr(member, "named_steps", {})
        if not (isinstance(steps.get("model"), LogisticRegression) and "scale" in steps and "features" in steps):
            raise ValueError("fitted_lr must be the fitted 'Logistic regression' from fit_models (or its pipeline).")
        check_is_fitted(steps["model"])
    return members


def _standardised(fitted_lr: BaseEstimator, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Standardised (log) values and coefficient x standardised value, averaged over calibration members."""
    members = _logistic_members(fitted_lr)
    z_total, push_total = 0.0, 0.0
    for member in members:
        steps = member.named_steps
        z = steps["scale"].transform(steps["features"].transform(frame))
        z_total = z_total + z
        push_total = push_total + z * steps["model"].coef_[0]
    columns = members[0].named_steps["features"].columns_
    return (pd.DataFrame(z_total / len(members), index=frame.index, columns=columns),
            pd.DataFrame(push_total / len(members), index=frame.index, columns=columns))


def logistic_coefficients(fitted_lr: BaseEstimator) -> pd.DataFrame:
    """Coefficients of the logistic regression on standardised (log-transformed) features, in words.

    For the calibrated ensemble of :func:`fit_models` the coefficients of its members are averaged
    (calibration is monotone, so the directions carry over to the probabilities).

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``coefficient`` (change in the log-odds of churn per standard deviation),
        ``odds_ratio`` (``exp(coefficient)``) and ``direction`` in plain words, e.g. "more days since
        the last order -> more likely to churn"; sorted by absolute coefficient, largest first.
    """
    members = _logistic_members(fitted_lr)
    names = members[0].named_steps["features"].columns_
    coef = np.mean([m.named_steps["model"].coef_[0] for m in members], axis=0)
    words = [f"{_HIGHER.get(n, 'higher ' + n)} -> {'more' if c > 0 else 'less' if c < 0 else 'not more or less'}"
             f" likely to churn" for n, c in zip(names, coef, strict=True)]
    table = pd.DataFrame({"feature": names, "coefficient": coef, "odds_ratio": np.exp(coef), "direction": words})
    order = np.argsort(-np.abs(coef), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def _model_columns(model: BaseEstimator, X: pd.DataFrame) -> list[str]:
    """The feature columns a fitted model reads (for permutation importance)."""
    if isinstance(model, RecencyBaseline):
        return ["Recency"]
    inner = model.calibrated_classifiers_[0].estimator if hasattr(model, "calibrated_classifiers_") else model
    steps = getattr(inner, "named_steps", {})
    if "features" in steps:
        return list(steps["features"].columns_)
    return [c for c in MODEL_FEATURES if c in X.columns]


def permutation_importance_table(model: BaseEstimator, X: pd.DataFrame, y: Any, seed: int,
                                 n_repeats: int = 3) -> pd.DataFrame:
    """Drop in ROC-AUC when each feature is shuffled (model-agnostic; use held-out data).

    Parameters
    ----------
    model : fitted estimator
        Any model of :func:`fit_models`.
    X : pandas.DataFrame
        Feature frame (e.g. the validation examples); only the model's feature columns are shuffled.
    y : array-like
        Labels 0/1 of ``X``.
    seed : int
        Random state of the shuffles.
    n_repeats : int, default 3
        Shuffles per feature.

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``importance_mean``, ``importance_std`` (ROC-AUC points lost), largest first.
    """
    columns = _model_columns(model, X)
    result = permutation_importance(model, X[columns], _binary_target(y), scoring="roc_auc", n_repeats=n_repeats,
                                    random_state=seed, n_jobs=1)
    table = pd.DataFrame({"feature": columns, "importance_mean": result.importances_mean,
                          "importance_std": result.importances_std})
    order = np.argsort(-table["importance_mean"].to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def _plural(count: float, word: str) -> str:
    """``"1 order"`` / ``"3 orders"``."""
    return f"{count:.0f} {word}{'' if round(count) == 1 else 's'}"


def _trend_text(trend: float, tenure: float) -> str:
    """The recent-versus-usual order rate in words (customers younger than the window have no trend)."""
    if tenure < RECENT_DAYS:
        return f"new customer: first order {_plural(tenure, 'day')} ago"
    if trend == 0:
        return f"no order in the last {RECENT_DAYS} days"
    if 0.95 <= trend <= 1.05:
        return f"buying as often as usual in the last {RECENT_DAYS} days"
    return f"buys {trend:.1f}x as often as usual in the last {RECENT_DAYS} days"


def _reason(feature: str, row: Mapping[str, float], high: bool, currency: str) -> str:
    """A churn reason in words with the customer's own numbers; ``high`` = value above the average.

    ``row`` holds the customer's features (some texts need two of them, e.g. a single-order customer has
    no measured gap between orders).
    """
    value, days = float(row[feature]), RECENT_DAYS
    money = f"{currency}{value:,.0f}"
    texts: dict[str, tuple[str, str]] = {
        "Recency": (f"no order for {_plural(value, 'day')}", f"last order only {_plural(value, 'day')} ago"),
        "Frequency": (f"{_plural(value, 'order')} so far", f"only {_plural(value, 'order')} so far"),
        "Monetary": (f"spent {money} in total", f"spent only {money} in total"),
        "Tenure": (f"a customer for {_plural(value, 'day')}", f"a customer for only {_plural(value, 'day')}"),
        "PurchaseVelocity": (f"orders only every {_plural(value, 'day')} on average",
                             f"used to order every {_plural(value, 'day')} on average"),
        "AvgOrderValue": (f"large orders ({money} on average)", f"small orders ({money} on average)"),
        "ReturnRate": (f"returned {value:.0%} of purchases", f"returned only {value:.0%} of purchases"),
        "UniqueProducts": (f"bought {_plural(value, 'different product')}",
                           f"bought only {_plural(value, 'different product')}"),
        "PeakSeasonShare": (f"{value:.0%} of spend in the peak season",
                            f"only {value:.0%} of spend in the peak season"),
        f"Frequency_{days}d": (f"{_plural(value, 'order')} in the last {days} days",
                               f"no order in the last {days} days" if value == 0
                               else f"only {_plural(value, 'order')} in the last {days} days"),
        f"Monetary_{days}d": (f"spent {money} in the last {days} days",) * 2,
        "OrdersPerMonthRecentVsOverall": (_trend_text(value, float(row.get("Tenure", RECENT_DAYS))),) * 2,
    }
    if feature in ("PurchaseVelocity", "Tenure") and row.get("Frequency", 2) <= 1:
        return "only 1 order so far"  # no measured gap between orders; tenure = recency for a one-off buyer
    if feature in (f"Frequency_{days}d", "OrdersPerMonthRecentVsOverall") and value == 0 and "Recency" in row:
        return f"no order for {_plural(float(row['Recency']), 'day')}"  # "none in the last 90 days", precisely
    high_text, low_text = texts.get(feature, (f"high {feature} ({value:g})", f"low {feature} ({value:g})"))
    return high_text if high else low_text


def _customer_reasons(push: np.ndarray, above: np.ndarray, row: Mapping[str, float], columns: Sequence[str],
                      n: int, currency: str) -> list[str]:
    """Up to ``n`` distinct texts for the features with the largest positive pushes of one customer."""
    words: list[str] = []
    for j in np.argsort(-push, kind="stable"):
        if push[j] <= 0 or len(words) == n:
            break
        text = _reason(columns[j], row, bool(above[j]), currency)
        if text not in words:
            words.append(text)
    return words


def top_reasons(fitted_lr: BaseEstimator, live_features: pd.DataFrame, n: int = 2, *, currency: str = "£",
                no_reason: str = "recent, regular buyer") -> pd.Series:
    """The ``n`` features pushing each customer most towards churn, in words with their own numbers.

    A feature's push is ``coefficient x standardised value`` in the logistic regression (its share of
    the customer's log-odds relative to an average training customer). Only positive pushes count;
    two features that read the same (no order in the last 90 days) give one reason.

    Parameters
    ----------
    fitted_lr : fitted estimator
        The ``"Logistic regression"`` of :func:`fit_models` / :func:`refit`.
    live_features : pandas.DataFrame
        Feature frame (e.g. :func:`features_at` at the live cutoff).
    n : int, default 2
        Reasons per customer at most.
    currency : str, default "£"
        Symbol put before amounts.
    no_reason : str, default "recent, regular buyer"
        Text when nothing pushes the customer towards churn.

    Returns
    -------
    pandas.Series
        One string per customer (index of ``live_features``), reasons joined with "; ", e.g.
        "no order for 140 days; buys 0.5x as often as usual in the last 90 days".
    """
    _check_whole(n, "n", 1)
    z, push = _standardised(fitted_lr, live_features)
    columns = list(push.columns)
    names = [c for c in MODEL_FEATURES if c in live_features.columns]
    rows = live_features[names].astype(float).fillna(0.0).to_dict(orient="records")
    pushes, above = push.to_numpy(), z.to_numpy() > 0
    texts = [
        "; ".join(_customer_reasons(pushes[i], above[i], rows[i], columns, n, currency)) or no_reason
        for i in range(len(rows))
    ]
    return pd.Series(texts, index=live_features.index, name="reasons", dtype="str")


def risk_band(proba: Any, bands: tuple[float, float] = (0.3, 0.6)) -> pd.Series:
    """Low / Medium / High churn risk from probabilities.

    Parameters
    ----------
    proba : array-like or pandas.Series
        Churn probabilities.
    bands : (float, float), default (0.3, 0.6)
        ``p < bands[0]`` is Low, ``bands[0] <= p < bands[1]`` Medium, ``p >= bands[1]`` High.

    Returns
    -------
    pandas.Series
        Ordered categorical (Low < Medium < High), index of ``proba`` when it is a Series.
    """
    low, high = (float(b) for b in bands)
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"bands must be two increasing numbers between 0 and 1, got {bands!r}.")
    index = proba.index if isinstance(proba, pd.Series) else None
    values = np.asarray(proba, dtype=float)
    if np.isnan(values).any():
        raise ValueError("proba has missing values.")
    codes = np.searchsorted([low, high], values, side="right")
    labels = ["Low", "Medium", "High"]
    categories = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    return pd.Series(categories, index=index, name="risk_band")


# ---------------------------------------------------------------------------------------------------------
# BG/NBD baseline
# ---------------------------------------------------------------------------------------------------------


class BGNBDBaseline(ClassifierMixin, BaseEstimator):
    """P(no purchase in the next ``horizon_days``) from a BG/NBD model, as a churn baseline.

    Unsupervised: for each cutoff in the frame it is scored on, the model is fitted on the purchase history
    up to that cutoff only (no labels, nothing after the cutoff), so it is as leakage-free as the
    supervised models. Frames need ``CustomerID`` and ``cutoff`` columns (as from :func:`build_examples`)
    or a CustomerID index plus the ``cutoff`` given to the constructor (live scoring).
    """

    def __init__(self, transactions: pd.DataFrame | None = None, horizon_days: int = 90, unit: str = "W",
                 cutoff: Any = None, penalizer: float = 0.0) -> None:
        self.transactions = transactions
        self.horizon_days = horizon_days
        self.unit = unit
        self.cutoff = cutoff
        self.penalizer = penalizer

    def fit(self, X: Any = None, y: Any = None) -> BGNBDBaseline:
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        from retention.clv import BetaGeoModel, rfm_summary

        ids = X["CustomerID"] if "CustomerID" in X.columns else pd.Series(X.index, index=X.index)
        cutoffs = X["cutoff"] if "cutoff" in X.columns else pd.Series(pd.Timestamp(self.cutoff), index=X.index)
        per_unit = 7.0 if self.unit == "W" else 1.0
        out = np.empty(len(X))
        for cutoff in sorted(cutoffs.unique()):
            rows = np.flatnonzero((cutoffs == cutoff).to_numpy())
            summary = rfm_summary(self.transactions, pd.Timestamp(cutoff), unit=self.unit)
            model = BetaGeoModel(penalizer=self.penalizer).fit(summary["frequency"], summary["recency"], summary["T"])
            wanted = summary.loc[ids.iloc[rows].to_numpy()]
            out[rows] = np.asarray(model.probability_no_purchase(self.horizon_days / per_unit, wanted["frequency"],
                                                                 wanted["recency"], wanted["T"]), dtype=float)
        return np.column_stack([1.0 - out, out])
