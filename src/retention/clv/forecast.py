"""A purchase model fitted at a cutoff on the shop's calendar, and its per-customer forecasts over calendar windows.

:func:`fit_purchase_forecast` is the one place where a model name (``"bgnbd"``, ``"mbgnbd"``,
``"pareto_nbd"``) and a seasonality setting (``True``, ``False``, ``"auto"``) become a fitted
:class:`PurchaseForecast`. Windows are given in calendar days after the cutoff and converted to model
time by the operational clock (:mod:`.seasonality`), so every caller forecasts "the next 90 days" the
same way whether or not the model is seasonal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .models import MODELS, BetaGeoModel, PurchaseModel
from .seasonality import (
    OperationalClock,
    SeasonalEstimate,
    SeasonalIndex,
    estimate_seasonality,
    fit_on_clock,
)
from .summary import DAYS_PER_MONTH, PurchaseDays, days_per_unit

__all__ = ["MODEL_NAMES", "SEASONAL_LEVEL", "PurchaseForecast", "SeasonalSetting", "fit_purchase_forecast"]

SeasonalSetting = bool | Literal["auto"]
#: The purchase model names (params ``clv.model`` accepts these and ``"auto"``).
MODEL_NAMES: tuple[str, ...] = tuple(MODELS)
#: Significance level a calendar component must reach to be used (see :mod:`.seasonality` on why so strict).
SEASONAL_LEVEL: float = 1e-3


@dataclass(frozen=True)
class PurchaseForecast:
    """A fitted purchase model with its clock: forecasts per customer for windows after the cutoff.

    Attributes
    ----------
    model : PurchaseModel
        Fitted in model time (operational time when seasonal).
    model_name : str
        Key of :data:`MODEL_NAMES`.
    summary : DataFrame
        ``frequency``, ``recency``, ``T`` (model time, in ``unit``) and ``monetary_value`` per customer.
    clock : OperationalClock
        Maps calendar days to operational days (flat index: calendar days).
    cutoff_day : int
        Day number of the cutoff (inclusive end of the history).
    unit : {"D", "W"}
        Model time unit.
    tests : DataFrame
        The seasonality tests (may be empty).
    note : str
        One plain paragraph: seasonal or not, and why.
    """

    model: PurchaseModel
    model_name: str
    summary: pd.DataFrame
    clock: OperationalClock
    cutoff_day: int
    unit: str
    tests: pd.DataFrame
    note: str

    @property
    def index(self) -> SeasonalIndex:
        """The seasonal index in use (flat when stationary)."""
        return self.clock.index

    @property
    def seasonal(self) -> bool:
        """True when the forecast runs on a non-flat calendar."""
        return not self.index.is_flat

    @property
    def label(self) -> str:
        """Display name, e.g. ``"Pareto/NBD, seasonal"``."""
        return f"{self.model.label}, {'seasonal' if self.seasonal else 'stationary'}"

    @property
    def cutoff(self) -> pd.Timestamp:
        return pd.Timestamp(np.datetime64(int(self.cutoff_day), "D"))

    def horizon(self, days: int | Sequence[int] | np.ndarray) -> np.ndarray:
        """Model-time length of the windows ``(cutoff, cutoff + days]``."""
        return self.clock.length(self.cutoff_day, days) / days_per_unit(self.unit)

    def month_ends(self, months: int) -> np.ndarray:
        """Model-time ends of the next ``months`` months (a month = 30.4375 days, rounded to whole days)."""
        days = np.rint(np.arange(1, int(months) + 1) * DAYS_PER_MONTH).astype(np.int64)
        return self.horizon(days)

    def _rft(self) -> tuple[pd.Series, pd.Series, pd.Series]:
        return self.summary["frequency"], self.summary["recency"], self.summary["T"]

    def probability_alive(self) -> pd.Series:
        """P(alive) at the cutoff, per customer."""
        return self.model.probability_alive(*self._rft())

    def expected_purchases(self, days: int) -> pd.Series:
        """Expected purchase days in the next ``days`` calendar days, per customer."""
        return self.model.conditional_expected_purchases(float(self.horizon(days)), *self._rft())

    def expected_purchases_if_alive(self, days: int) -> pd.Series:
        """Expected purchase days in the next ``days`` calendar days given alive at the cutoff (C1)."""
        return self.model.expected_purchases_if_alive(float(self.horizon(days)), *self._rft())

    def probability_no_purchase(self, days: int) -> pd.Series:
        """P(no purchase in the next ``days`` calendar days), per customer."""
        return self.model.probability_no_purchase(float(self.horizon(days)), *self._rft())


def fit_purchase_forecast(log: PurchaseDays, cutoff_day: int, *, model: str = "bgnbd",
                          seasonal: SeasonalSetting = "auto", unit: str = "W", penalizer: float = 0.0,
                          start_day: int | None = None, level: float = SEASONAL_LEVEL, covariance: bool = True,
                          season: SeasonalEstimate | None = None) -> PurchaseForecast:
    """Fit ``model`` on the history up to ``cutoff_day``, seasonal or not, and wrap it for calendar forecasts.

    Parameters
    ----------
    log : PurchaseDays
        The purchase days (:meth:`~.summary.PurchaseDays.from_grain` of the engine's purchase-day grain).
    cutoff_day : int
        Day number of the end of the history (inclusive); ``log.day_of(date)`` converts a date.
    model : {"bgnbd", "mbgnbd", "pareto_nbd"}
        Purchase model.
    seasonal : {True, False, "auto"}
        ``False``: stationary. ``True``: every calendar component the history supports (month of year from
        365 days, weekday from 28), untested. ``"auto"``: those components, each kept only when its F test
        (:func:`~.seasonality.component_tests`) gives ``p < level``; none kept means stationary.
    unit, penalizer, start_day
        Model time unit, L2 penalty, start of the history (inclusive).
    level : float
        Significance level of the seasonality tests.
    covariance : bool
        Whether to compute the parameter covariance (needed for uncertainty draws, not for backtests).
    season : SeasonalEstimate, optional
        A calendar already estimated at this cutoff (:func:`~.seasonality.estimate_seasonality`), shared by
        several models; ``seasonal`` and ``level`` are then not used.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {list(MODEL_NAMES)}, got {model!r}")
    if season is None:
        season = estimate_seasonality(log, cutoff_day, setting=seasonal, unit=unit, start_day=start_day, level=level,
                                      exposure_model=BetaGeoModel(penalizer=penalizer))
    fitted, summary = fit_on_clock(log, cutoff_day, MODELS[model](penalizer=penalizer), season.clock, unit=unit,
                                   start_day=start_day, covariance=covariance)
    return PurchaseForecast(fitted, model, summary, season.clock, int(cutoff_day), unit, season.tests, season.note)
