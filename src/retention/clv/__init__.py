"""Customer lifetime value: purchase models, seasonal forecasts, backtests, value tables, uncertainty, cohorts.

Everything is written from the papers, not wrapped from a third-party package:

* :mod:`.summary` -- the engine's purchase days (:class:`PurchaseDays`) -> per-customer ``(x, t_x, T, m_x)``;
* :mod:`.models` -- BG/NBD, MBG/NBD and Pareto/NBD on a shared base, and the Gamma-Gamma spend model;
* :mod:`.seasonality` -- the shop's calendar estimated from the data, models fitted in operational time;
* :mod:`.forecast` -- a model fitted at a cutoff with its clock: forecasts over calendar windows;
* :mod:`.backtest` -- rolling-origin scorecard and the choice of model per data set;
* :mod:`.value` -- the per-customer value table (contract C1) and the one-call pipeline;
* :mod:`.uncertainty` -- parameter draws carried to every customer's value;
* :mod:`.diagnostics` -- holdout by frequency, tracking, P(alive) grid;
* :mod:`.cohorts` -- cumulative margin per customer by acquisition month, observed and forecast;
* :mod:`.notes` -- the models' warnings in plain words;
* :mod:`.overview` -- the value report's tables (totals with intervals, by group, parameters, truth check).

The lines never come here: :meth:`retention.engine.Session.purchase_days` reduces them to one row per customer
and purchase day, and :meth:`PurchaseDays.from_grain` holds that grain for everything below.

Time units: the models are unit-free; a model fitted with ``recency``/``T`` in days (``unit="D"``) or
weeks (``"W"``) predicts in that unit. Calendar windows (days after a cutoff, months of a horizon) are
converted by :class:`~.forecast.PurchaseForecast`, also on a seasonal clock.
"""

from __future__ import annotations

from .backtest import Backtest, backtest_cutoffs, rolling_backtest, score_forecast
from .cohorts import cohort_value_curves
from .diagnostics import holdout_by_frequency, probability_alive_matrix, repeat_purchase_tracking
from .forecast import MODEL_NAMES, SEASONAL_LEVEL, PurchaseForecast, fit_purchase_forecast
from .models import (
    MODELS,
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    PurchaseModel,
    simulate_summary,
    spend_frequency_correlation,
)
from .notes import plain_warnings
from .overview import (
    backtest_candidates,
    forecast_against_truth,
    parameter_table,
    value_at_stake,
    value_by_group,
    value_totals,
)
from .seasonality import OperationalClock, SeasonalIndex, fit_operational_time
from .summary import DAYS_PER_MONTH, PurchaseDays, calibration_holdout_summary, rfm_summary
from .uncertainty import ValueDraws, value_draws
from .value import (
    BACKTEST_WARNING,
    VALUE_COLUMNS,
    CustomerValues,
    customer_value_table,
    fit_customer_values,
    fit_gamma_gamma,
    fit_value_table,
    forecast_value_table,
)

__all__ = [
    "BACKTEST_WARNING",
    "DAYS_PER_MONTH",
    "MODELS",
    "MODEL_NAMES",
    "SEASONAL_LEVEL",
    "VALUE_COLUMNS",
    "Backtest",
    "BetaGeoModel",
    "CustomerValues",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "OperationalClock",
    "ParetoNBDModel",
    "PurchaseDays",
    "PurchaseForecast",
    "PurchaseModel",
    "SeasonalIndex",
    "ValueDraws",
    "backtest_candidates",
    "backtest_cutoffs",
    "calibration_holdout_summary",
    "cohort_value_curves",
    "customer_value_table",
    "fit_customer_values",
    "fit_gamma_gamma",
    "fit_operational_time",
    "fit_purchase_forecast",
    "fit_value_table",
    "forecast_against_truth",
    "forecast_value_table",
    "holdout_by_frequency",
    "parameter_table",
    "plain_warnings",
    "probability_alive_matrix",
    "repeat_purchase_tracking",
    "rfm_summary",
    "rolling_backtest",
    "score_forecast",
    "simulate_summary",
    "spend_frequency_correlation",
    "value_at_stake",
    "value_by_group",
    "value_draws",
    "value_totals",
]
