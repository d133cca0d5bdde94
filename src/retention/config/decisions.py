"""Sections about what to do: ``decision`` (who is at risk, what is at stake, which campaign) and ``experiment``
(the test that measures a campaign's uplift)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from retention.config.base import OpenShare, Section, Seed, Share, Text, Whole

__all__ = ["DecisionConfig", "ExperimentConfig"]


class DecisionConfig(Section):
    """``decision``: the vocabulary of the decision report and the offer it recommends."""

    base_window_days: Whole = Field(180, ge=1, le=3650, description="customer base: customers with a purchase "
                                                                    "within this many days of the as-of date")
    at_risk_threshold: Share = Field(0.5, description="a base customer is at risk from this churn probability")
    horizon_months: Whole = Field(12, ge=1, le=120, description="months of revenue counted as value at stake")
    max_p_loss: Share = Field(0.2, description="recommend a campaign only if its probability of loss is at most "
                                               "this")
    pinned_campaign: Text | None = Field(None, description="run this campaign whatever the analysis picks; "
                                                           "null: the analysis chooses")
    offer_type: Literal["next_order", "all_orders"] = Field(
        "next_order", description="the discount applies to the next order only, or to all orders for offer_months")
    offer_months: Whole = Field(3, ge=1, le=36,
                                description="months the discount lasts, with offer_type all_orders only")


class ExperimentConfig(Section):
    """``experiment``: reading a past test and designing the next one."""

    results: Text | None = Field(None, description="CSV of a past test with CustomerID, group, sent_at, campaign; "
                                                   "null: the generated campaign or none")
    outcome_days: Whole = Field(60, ge=1, le=730, description="days after sending in which a purchase counts")
    alpha: OpenShare = Field(0.05, description="significance level of the test")
    power: OpenShare = Field(0.8, description="power of the designed test")
    min_detectable_uplift: OpenShare | None = Field(None, description="smallest uplift the test must detect; "
                                                                      "null: the campaign's break-even uplift")
    control_share: OpenShare = Field(0.5, description="share of the test held out as control")
    seed: Seed = Field(42, description="seed of the random assignment")
