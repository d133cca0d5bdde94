"""Sections about the models: ``churn`` and ``clv``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from retention.config.base import Number, OpenShare, Section, Seed, Text, Whole
from retention.config.errors import ValueProblem, did_you_mean

__all__ = ["CHURN_MODEL_NAMES", "ChurnConfig", "ClvConfig"]

# The churn helper is adding ``retention.churn.MODEL_NAMES`` (every candidate and baseline, contract C4). Until it
# lands, this tuple of today's names stands in for it. Coordinator: replace the tuple by
# ``from retention.churn import MODEL_NAMES as CHURN_MODEL_NAMES``; nothing else in config names the models.
CHURN_MODEL_NAMES: tuple[str, ...] = (
    "Logistic regression", "Random forest", "Gradient boosting", "Recency baseline", "BG/NBD baseline")
"""The names ``churn.production_model`` may take besides "auto"."""


class ChurnConfig(Section):
    """``churn``: labels, training cutoffs, costs and the shipped model."""

    horizon_days: Whole = Field(90, ge=7, le=730,
                                description="a customer has churned if they make no purchase in the next H days")
    n_train_cutoffs: Whole = Field(4, ge=1, le=24,
                                   description="training cutoffs, each giving one labelled example per customer")
    spacing_days: Whole = Field(30, ge=7, le=365, description="days between training cutoffs")
    min_history_days: Whole = Field(90, ge=7, le=3650,
                                    description="the first cutoff comes at least this long after the data starts")
    feature_window_days: Whole | None = Field(None, ge=7, description="only this many days of history feed the "
                                                                      "features; empty = all")
    cost_missed_churner: Number = Field(40.0, ge=0.01, description="cost of not contacting a customer who churns, "
                                                                   "in the currency")
    cost_wasted_offer: Number = Field(20.0, ge=0.01, description="cost of an offer to a customer who would have "
                                                                 "stayed, in the currency")
    risk_bands: tuple[OpenShare, OpenShare] = Field((0.3, 0.6), description="churn probabilities that separate "
                                                                            "Low / Medium / High risk")
    calibration: Literal["sigmoid", "isotonic"] = Field("sigmoid", description="probability calibration on "
                                                                                "training data")
    production_model: Text = Field("auto", description="the model that scores every customer: 'auto' ships the best "
                                                       "candidate on validation, or one model name")
    cv_folds: Whole = Field(3, ge=2, le=10, description="cross-validation folds, grouped by customer, for tuning")
    seed: Seed = Field(42, description="seed of every model")

    @field_validator("risk_bands")
    @classmethod
    def _increasing(cls, bands: tuple[float, float]) -> tuple[float, float]:
        if not bands[0] < bands[1]:
            raise ValueProblem("needs two increasing probabilities between 0 and 1",
                               "write the Low/Medium boundary first, e.g. [0.3, 0.6]")
        return bands

    @field_validator("production_model")
    @classmethod
    def _known_model(cls, name: str) -> str:
        choices = ["auto", *CHURN_MODEL_NAMES]
        if name not in choices:
            raise ValueProblem(f"is not one of {choices}", "use 'auto' or one of the model names",
                               did_you_mean(name, choices))
        return name


class ClvConfig(Section):
    """``clv``: the purchase and spend models behind customer lifetime value."""

    time_unit: Literal["D", "W"] = Field("W", description="time unit of the purchase model: 'D' days or 'W' weeks")
    horizon_months: Whole = Field(12, ge=1, le=120, description="months of future value counted in the CLV")
    discount_rate_monthly: Number = Field(0.01, ge=0.0, le=0.5, description="monthly discount rate of future "
                                                                            "revenue")
    holdout_days: Whole = Field(120, ge=14, le=730,
                                description="days at the end held out to check the model's forecasts")
    penalizer: Number = Field(0.0, ge=0.0, le=100.0,
                              description="L2 penalty on the model parameters; 0 = plain maximum likelihood")
    max_spend_frequency_corr: Number = Field(0.3, ge=0.0, le=1.0, description="warn when |corr(frequency, spend)| "
                                             "exceeds this; the Gamma-Gamma model assumes independence")
    model: Literal["auto", "bgnbd", "mbgnbd", "pareto_nbd"] = Field(
        "auto", description="purchase model; auto picks the best on the backtests")
    seasonal: Literal["auto", True, False] = Field(
        "auto", description="seasonal purchase rates; auto decides from the backtests")
    backtest_cutoffs: Whole = Field(3, ge=1, le=24, description="cutoffs of the rolling backtest")
    backtest_horizon_days: Whole = Field(90, ge=7, le=730, description="days forecast at each backtest cutoff")
    uncertainty_draws: Whole = Field(200, ge=20, le=100_000,
                                     description="draws of the model parameters for the 5%-95% value bands")
