"""The churn design: what churned means and where the cutoffs go.

A customer with at least one purchase on or before the cutoff day ``T`` has *churned* (label 1) when
they make no purchase in the ``H = horizon_days`` days after it, i.e. in the calendar days
``T + 1, ..., T + H`` (both included). The features (which never read past the cutoff day) and the labels
(only from the window after it) are computed over the lines in the engine
(:meth:`retention.engine.Session.churn_examples`, :meth:`~retention.engine.Session.churn_labels`); this
module holds the design and the per-customer checks.

:func:`plan_cutoffs` places the cutoffs on the calendar::

    first date ... [train cutoffs, spacing_days apart] ... train_last --H-- validation --H-- last date
                                                                                          (= live)

* The *validation* cutoff is ``last date - H``: its label window ends exactly on the data's last day.
* The latest *training* cutoff is ``validation - H``, so every training label window ends on or before
  the validation cutoff: the validation labels are out-of-time, nothing about them was seen in training.
* *Live* scoring uses the last date as the cutoff; its labels lie in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention.features import as_day

__all__ = [
    "TARGET",
    "ChurnDesign",
    "CutoffPlan",
    "plan_cutoffs",
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
        The features' ``window_days``: only the last ``feature_window_days`` days
        before each cutoff are used, and only customers with a purchase in that window are scored.
        None (default) uses all history before the cutoff.
    peak_months : tuple of int, default (10, 11, 12)
        Months counted as the peak season by the customer features.
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



def binary_target(y: Any) -> np.ndarray:
    """``y`` as an int 0/1 array containing both classes (a churn model needs churners and stayers)."""
    values = np.asarray(y)
    if pd.isna(values).any() or not np.isin(values, [0, 1]).all():
        raise ValueError("y must hold only 0 (stayed) and 1 (churned).")
    values = values.astype(np.int64)
    if np.unique(values).size < 2:
        raise ValueError("y holds a single class; a churn model needs churners and stayers.")
    return values
