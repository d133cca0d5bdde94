"""A past randomized retention campaign, written into the log itself.

``GeneratorConfig.campaign_days_before_end`` days before the last day of the log, a random
``campaign_share`` of the customers acquired before that day is put in a test and split at random into
treatment (about half) and control. The treated respond per their response type
(:mod:`retention.generator.response`): persuadables place an extra order (and customers who had left
come back), sleeping dogs leave, and every treated customer's first order in the outcome window is
discounted by ``ResponseModel.discount`` -- the log's line prices of that order are reduced, so the log
carries the campaign's effect and cost exactly as a real one would. The control group's and everybody
else's purchases are untouched.

The assignment is returned as the table written to ``<stem>_campaign.csv`` (``CustomerID``, ``group``,
``sent_at``, ``campaign``, ``discount``), and the truth gets, for each customer acquired before the campaign (NaN for
the others): ``campaign_group`` (empty when not in the test), ``campaign_response_type``,
``campaign_purchase_probability`` (of buying in the outcome window without the offer, from the latent
state) and ``true_uplift`` (probability points of purchasing within the outcome window).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.generator.config import GeneratorConfig
from retention.generator.process import Customers
from retention.generator.response import OfferResponse, first_order_in_window, respond

__all__ = ["CAMPAIGN_COLUMNS", "PastCampaign", "campaign_name", "run_campaign"]

CAMPAIGN_COLUMNS: tuple[str, ...] = ("CustomerID", "group", "sent_at", "campaign", "discount")
"""Columns of the assignment file ``<stem>_campaign.csv`` (``discount``: the offer's discount, a share)."""


@dataclass(frozen=True)
class PastCampaign:
    """The campaign's assignment, the purchases and dropout times after it, and its truth per customer."""

    assignment: pd.DataFrame
    purchases: pd.DataFrame
    death: np.ndarray
    truth: pd.DataFrame


def campaign_name(cfg: GeneratorConfig) -> str:
    """The campaign's name as written in the assignment file."""
    return f"{round(cfg.response.discount * 100):g}% off the next order"


def _split(rng: np.random.Generator, cfg: GeneratorConfig, customers: Customers) -> tuple[np.ndarray, np.ndarray]:
    """Treatment and control positions: a random share of the customers acquired before the send day."""
    eligible = np.flatnonzero(customers.first_day < cfg.campaign_day)
    n_test = int(round(cfg.campaign_share * eligible.size))
    picked = rng.permutation(eligible)[:n_test]
    n_treated = (n_test + 1) // 2
    return np.sort(picked[:n_treated]), np.sort(picked[n_treated:])


def _assignment(cfg: GeneratorConfig, customers: Customers, treated: np.ndarray, control: np.ndarray) -> pd.DataFrame:
    sent_at = (pd.Timestamp(cfg.start_date) + pd.Timedelta(days=cfg.campaign_day)).date().isoformat()
    table = pd.DataFrame({
        "CustomerID": customers.ids[np.concatenate([treated, control])].astype(str),
        "group": ["treatment"] * treated.size + ["control"] * control.size,
        "sent_at": sent_at,
        "campaign": campaign_name(cfg),
        "discount": cfg.response.discount,
    })
    return table.sort_values("CustomerID", kind="stable").reset_index(drop=True)[list(CAMPAIGN_COLUMNS)]


def _apply(purchases: pd.DataFrame, death: np.ndarray, response: OfferResponse, treated: np.ndarray,
           cfg: GeneratorConfig) -> tuple[pd.DataFrame, np.ndarray]:
    """Replace the treated customers' purchases after the send day by their treated future; discount
    each treated customer's first order in the window."""
    send_day = response.send_day
    future = response.treated[response.treated["customer"].isin(treated)].drop(columns="induced")
    mine = purchases["customer"].isin(treated) & (purchases["day"] > send_day)
    merged = pd.concat([purchases[~mine], future], ignore_index=True)
    merged = merged.sort_values(["day", "customer"], kind="stable").reset_index(drop=True)
    redeemed = first_order_in_window(merged[merged["customer"].isin(treated)], send_day, response.window_days)
    merged["discount"] = 0.0
    merged.loc[redeemed.index, "discount"] = cfg.response.discount
    new_death = death.copy()
    offered = np.isin(response.positions, treated)
    new_death[response.positions[offered]] = response.death[offered]
    return merged, new_death


def _truth(customers: Customers, response: OfferResponse, treated: np.ndarray, control: np.ndarray) -> pd.DataFrame:
    n = len(customers)
    uplift, probability = np.full(n, np.nan), np.full(n, np.nan)
    uplift[response.positions] = response.uplift
    probability[response.positions] = response.probability
    kinds = pd.Series(pd.NA, index=range(n), dtype="string")
    kinds.iloc[response.positions] = response.response_type
    group = pd.Series(pd.NA, index=range(n), dtype="string")
    group.iloc[treated] = "treatment"
    group.iloc[control] = "control"
    return pd.DataFrame({"campaign_group": group, "campaign_response_type": kinds,
                         "campaign_purchase_probability": probability, "true_uplift": uplift})


def run_campaign(rng: np.random.Generator, cfg: GeneratorConfig, customers: Customers, purchases: pd.DataFrame,
                 death: np.ndarray, responsiveness: np.ndarray) -> PastCampaign:
    """Run the past campaign on the purchases without it (see the module docstring)."""
    treated, control = _split(rng, cfg, customers)
    eligible = np.flatnonzero(customers.first_day < cfg.campaign_day)
    response = respond(rng, cfg, customers, purchases, death, responsiveness, cfg.campaign_day, eligible)
    merged, new_death = _apply(purchases, death, response, treated, cfg)
    return PastCampaign(assignment=_assignment(cfg, customers, treated, control), purchases=merged,
                        death=new_death, truth=_truth(customers, response, treated, control))
