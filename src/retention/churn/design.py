"""The churn design: what churned means, where the cutoffs go, and the labelled examples.

A customer with at least one purchase on or before the cutoff day ``T`` has *churned* (label 1) when
they make no purchase in the ``H = horizon_days`` days after it, i.e. in the calendar days
``T + 1, ..., T + H`` (both included). Features come from :func:`retention.features.customer_features`,
which never reads past the cutoff day; labels come only from the window after it.

:func:`plan_cutoffs` places the cutoffs on the calendar::

    first date ... [train cutoffs, spacing_days apart] ... train_last --H-- validation --H-- last date
                                                                                          (= live)

* The *validation* cutoff is ``last date - H``: its label window ends exactly on the data's last day.
* The latest *training* cutoff is ``validation - H``, so every training label window ends on or before
  the validation cutoff: the validation labels are out-of-time, nothing about them was seen in training.
* *Live* scoring uses the last date as the cutoff; its labels lie in the future.

The outputs of :func:`churn_labels` and :func:`build_examples` are a contract: the engine computes the
same tables (labels and features at many cutoffs) on DuckDB or Spark and is tested against them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention.features import as_day, customer_features

__all__ = [
    "TARGET",
    "ChurnDesign",
    "CutoffPlan",
    "plan_cutoffs",
    "churn_labels",
    "features_at",
    "build_examples",
    "check_whole",
    "binary_target",
]

TARGET = "churned"
"""Name of the label column: 1 = no purchase in the horizon after the cutoff, 0 = bought again."""


def check_whole(value: Any, name: str, minimum: int) -> None:
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
        check_whole(self.horizon_days, "horizon_days", 1)
        check_whole(self.n_train_cutoffs, "n_train_cutoffs", 1)
        check_whole(self.spacing_days, "spacing_days", 1)
        check_whole(self.min_history_days, "min_history_days", 0)
        if self.feature_window_days is not None:
            check_whole(self.feature_window_days, "feature_window_days", 1)
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
    check_whole(horizon_days, "horizon_days", 1)
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


def binary_target(y: Any) -> np.ndarray:
    """``y`` as an int 0/1 array containing both classes (a churn model needs churners and stayers)."""
    values = np.asarray(y)
    if pd.isna(values).any() or not np.isin(values, [0, 1]).all():
        raise ValueError("y must hold only 0 (stayed) and 1 (churned).")
    values = values.astype(np.int64)
    if np.unique(values).size < 2:
        raise ValueError("y holds a single class; a churn model needs churners and stayers.")
    return values
