"""The per-customer value table (contract C1) and the one-call pipeline from a log to it.

Columns of the value table (money in the currency of the data, counts in purchase days):

* ``p_alive``: probability the customer is still active at the cutoff;
* ``p_no_purchase``: probability of no purchase within the churn horizon (``churn_horizon_days``);
* ``expected_purchases``: expected purchases over the CLV horizon (``horizon_months``, undiscounted);
* ``expected_purchases_if_alive``: expected purchases over the *decision* horizon
  (``decision_horizon_months``) given alive now, computed from the posterior-given-alive parameters,
  never by dividing by P(alive);
* ``expected_order_value``: Gamma-Gamma posterior mean spend per purchase;
* ``expected_revenue_if_alive``: ``expected_order_value * expected_purchases_if_alive`` (undiscounted);
* ``clv``: discounted expected revenue over the CLV horizon (monthly rate ``discount_rate_monthly``);
* ``value_if_active``: the discounted CLV-horizon revenue given alive now (``clv = p_alive *
  value_if_active`` exactly), the column the phase-A notebooks use;
* with parameter draws, ``expected_revenue_if_alive_p05/_p95`` and ``clv_p05/_p95`` (:mod:`.uncertainty`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .backtest import Backtest, backtest_cutoffs, rolling_backtest
from .forecast import MODEL_NAMES, PurchaseForecast, SeasonalSetting, fit_purchase_forecast
from .models import MODELS, GammaGammaModel, PurchaseModel
from .summary import DAYS_PER_MONTH, DateLike, PurchaseDays, TimeUnit, days_per_unit
from .uncertainty import ValueDraws, value_draws

__all__ = ["BACKTEST_WARNING", "VALUE_COLUMNS", "CustomerValues", "customer_value_table", "fit_customer_values",
           "fit_gamma_gamma", "fit_value_table", "forecast_value_table"]

#: Prefix of the warnings raised while fitting the backtest's candidates at earlier cutoffs (not the final fit).
BACKTEST_WARNING = "Backtest, at an earlier cutoff: "

VALUE_COLUMNS: tuple[str, ...] = ("p_alive", "p_no_purchase", "expected_purchases", "expected_purchases_if_alive",
                                  "expected_order_value", "expected_revenue_if_alive", "clv", "value_if_active")


def _value_columns(model: PurchaseModel, summary: pd.DataFrame, gamma_gamma: GammaGammaModel,
                   month_ends: np.ndarray, decision_end: float, churn_end: float, rate: float) -> pd.DataFrame:
    """The C1 columns for a purchase model fitted in the time of ``summary`` (all horizons in model time)."""
    x, tx, age, m = (summary[c].to_numpy(dtype=np.float64) for c in ("frequency", "recency", "T", "monetary_value"))
    alive = np.asarray(model.probability_alive(x, tx, age))
    clv_end = float(month_ends[-1]) if month_ends.size else 0.0
    eov = np.asarray(gamma_gamma.conditional_expected_average_value(x, m))
    if_alive = np.asarray(model.expected_purchases_if_alive(decision_end, x, tx, age))
    discounted = model.discounted_purchases_if_alive(month_ends, rate, x, tx, age)
    return pd.DataFrame({
        "p_alive": alive,
        "p_no_purchase": np.asarray(model.probability_no_purchase(churn_end, x, tx, age)),
        "expected_purchases": alive * np.asarray(model.expected_purchases_if_alive(clv_end, x, tx, age)),
        "expected_purchases_if_alive": if_alive,
        "expected_order_value": eov,
        "expected_revenue_if_alive": eov * if_alive,
        "clv": eov * alive * discounted,
        "value_if_active": eov * discounted,
    }, index=summary.index)


def customer_value_table(summary: pd.DataFrame, bgnbd: PurchaseModel, gamma_gamma: GammaGammaModel, *,
                         horizon_months: int = 12, discount_rate_monthly: float = 0.01, time_unit: TimeUnit = "D",
                         churn_horizon_days: int = 90, decision_horizon_months: int = 12) -> pd.DataFrame:
    """The value table of a stationary purchase model (any of the three) fitted on ``summary`` in ``time_unit``.

    Months are ``30.4375`` days; see the module docstring for the columns.
    """
    month = DAYS_PER_MONTH / days_per_unit(time_unit)
    ends = np.arange(1, int(horizon_months) + 1) * month
    return _value_columns(bgnbd, summary, gamma_gamma, ends, decision_horizon_months * month,
                          churn_horizon_days / days_per_unit(time_unit), discount_rate_monthly)


def forecast_value_table(forecast: PurchaseForecast, gamma_gamma: GammaGammaModel, *, horizon_months: int = 12,
                         discount_rate_monthly: float = 0.01, churn_horizon_days: int = 90,
                         decision_horizon_months: int = 12) -> pd.DataFrame:
    """The value table of a :class:`~.forecast.PurchaseForecast`, its horizons on the forecast's (seasonal) clock."""
    ends = forecast.month_ends(horizon_months)
    decision = forecast.month_ends(decision_horizon_months)
    return _value_columns(forecast.model, forecast.summary, gamma_gamma, ends,
                          float(decision[-1]) if decision.size else 0.0, float(forecast.horizon(churn_horizon_days)),
                          discount_rate_monthly)


def fit_gamma_gamma(summary: pd.DataFrame, penalizer: float = 0.0) -> tuple[GammaGammaModel, str]:
    """Fit Gamma-Gamma on the repeat buyers with positive average spend; the note counts any left out."""
    repeaters = summary[summary["frequency"] > 0]
    spend = repeaters[repeaters["monetary_value"] > 0]
    model = GammaGammaModel(penalizer=penalizer).fit(spend["frequency"], spend["monetary_value"])
    dropped = len(repeaters) - len(spend)
    note = (f"{dropped} repeat buyer(s) with zero or negative average spend left out of the spend model "
            "(their expected order value shrinks towards 0)." if dropped else "")
    return model, " ".join(part for part in (note, getattr(model, "fallback_", "")) if part)


@dataclass(frozen=True)
class CustomerValues:
    """Everything :func:`fit_customer_values` produced: the table, the models, the backtest and the draws."""

    values: pd.DataFrame
    forecast: PurchaseForecast
    gamma_gamma: GammaGammaModel
    backtest: Backtest | None
    draws: ValueDraws | None
    log: PurchaseDays
    note: str

    @property
    def summary(self) -> pd.DataFrame:
        """The per-customer summary in model time (operational time when seasonal)."""
        return self.forecast.summary


def _choose(log: PurchaseDays, cutoff_day: int, model: str, seasonal: SeasonalSetting, n_cutoffs: int,
            horizon_days: int, unit: str, penalizer: float) -> tuple[str, SeasonalSetting, Backtest | None]:
    if model not in ("auto", *MODEL_NAMES):
        raise ValueError(f"model must be 'auto' or one of {list(MODEL_NAMES)}, got {model!r}")
    if model != "auto" and seasonal != "auto":
        return model, seasonal, None
    if n_cutoffs < 1:
        fallback = "bgnbd" if model == "auto" else model
        return fallback, seasonal, Backtest.skipped(fallback, f"No backtest asked for: {MODELS[fallback].label}.")
    history = log.window(None, cutoff_day)  # the backtest sees nothing after the as-of date
    try:
        backtest_cutoffs(int(history.day.min()), cutoff_day, n_cutoffs, horizon_days)
    except ValueError as exc:
        fallback = "bgnbd" if model == "auto" else model
        return fallback, seasonal, Backtest.skipped(fallback, f"No backtest: {exc}. {MODELS[fallback].label} is used.")
    bt = rolling_backtest(history, n_cutoffs, horizon_days=horizon_days,
                          models=MODEL_NAMES if model == "auto" else (model,),
                          seasonal=(False, True) if seasonal == "auto" else (bool(seasonal),), unit=unit,
                          penalizer=penalizer, seasonal_setting=True if seasonal is True else "auto")
    # the seasonal candidates were the tested calendar: a seasonal pick keeps the test at the final cutoff too
    chosen_season = seasonal if seasonal != "auto" else (False if bt.seasonal is False else "auto")
    return (bt.model if model == "auto" else model), chosen_season, bt


def fit_customer_values(log: PurchaseDays, cutoff: DateLike, *, unit: TimeUnit = "W",
                        penalizer: float = 0.0, model: str = "auto", seasonal: SeasonalSetting = "auto",
                        horizon_months: int = 12, discount_rate_monthly: float = 0.01, churn_horizon_days: int = 90,
                        decision_horizon_months: int = 12, backtest_cutoffs: int = 3,
                        backtest_horizon_days: int = 90, uncertainty_draws: int = 200,
                        seed: int = 0) -> CustomerValues:
    """From a log's purchase days to the C1 value table: choose, fit, forecast, draw.

    ``log`` is the purchase days (:class:`~.summary.PurchaseDays`, from the engine's purchase-day grain via
    :meth:`~.summary.PurchaseDays.from_grain`). Nothing after ``cutoff`` is used.
    ``model="auto"`` picks the purchase model by a rolling-origin backtest on the history up to
    ``cutoff`` (:func:`~.backtest.rolling_backtest`, ``backtest_cutoffs`` origins, ``backtest_horizon_days``
    windows); a model name pins it. ``seasonal="auto"`` lets the backtest decide where it can and the
    calendar test otherwise (:func:`~.forecast.fit_purchase_forecast`); ``True``/``False`` pin it. The
    chosen model is refitted on the whole history, the Gamma-Gamma model on the repeat buyers, and
    ``uncertainty_draws`` parameter draws (0: none) give the 5 %/95 % columns. ``note`` explains the
    choices in plain sentences.
    """
    if not isinstance(log, PurchaseDays):
        raise TypeError(f"log must be the purchase days (PurchaseDays.from_grain of the engine's purchase_days()), "
                        f"got {type(log).__name__}")
    cutoff_day = log.day_of(cutoff, "cutoff")
    with warnings.catch_warnings(record=True) as caught:  # said once each, marked as the backtest's
        warnings.simplefilter("always")
        name, season, bt = _choose(log, cutoff_day, model, seasonal, backtest_cutoffs, backtest_horizon_days, unit,
                                   penalizer)
    for message in dict.fromkeys(str(w.message) for w in caught):
        warnings.warn(f"{BACKTEST_WARNING}{message}", RuntimeWarning, stacklevel=2)
    forecast = fit_purchase_forecast(log, cutoff_day, model=name, seasonal=season, unit=unit, penalizer=penalizer)
    gamma_gamma, spend_note = fit_gamma_gamma(forecast.summary, penalizer)
    horizons = {"horizon_months": horizon_months, "discount_rate_monthly": discount_rate_monthly,
                "decision_horizon_months": decision_horizon_months}
    values = forecast_value_table(forecast, gamma_gamma, churn_horizon_days=churn_horizon_days, **horizons)
    draws = None
    if uncertainty_draws > 0:
        draws = value_draws(forecast, gamma_gamma, n_draws=uncertainty_draws, seed=seed, **horizons)
        values = values.join(draws.interval())
    chosen = bt.reason if bt is not None else f"{forecast.model.label} pinned by the caller."
    fallback = getattr(forecast.model, "fallback_", "")
    note = " ".join(part for part in (chosen, forecast.note, fallback, spend_note) if part)
    return CustomerValues(values, forecast, gamma_gamma, bt, draws, log, note)


def fit_value_table(log: PurchaseDays, cutoff: DateLike, *, unit: TimeUnit = "W", penalizer: float = 0.0,
                    horizon_months: int = 12, discount_rate_monthly: float = 0.01, churn_horizon_days: int = 90,
                    uncertainty_draws: int = 0,
                    **options: object) -> tuple[pd.DataFrame, PurchaseModel, GammaGammaModel, pd.DataFrame]:
    """:func:`fit_customer_values` returning ``(values, purchase_model, gamma_gamma, summary)`` (the phase-A
    notebooks' interface; no parameter draws unless asked); ``options`` are its other keyword arguments
    (``model``, ``seasonal``, ...)."""
    result = fit_customer_values(log, cutoff, unit=unit, penalizer=penalizer, horizon_months=horizon_months,
                                 discount_rate_monthly=discount_rate_monthly, churn_horizon_days=churn_horizon_days,
                                 uncertainty_draws=uncertainty_draws, **options)  # type: ignore[arg-type]
    return result.values, result.forecast.model, result.gamma_gamma, result.summary
