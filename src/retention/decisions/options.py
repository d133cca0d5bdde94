"""The options a decision chooses from: every campaign of the params and the profit-maximising list, each with
its expected economics at base and its probability of loss over the assumption ranges (and value draws)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from retention.roi import (
    UNCERTAIN_PARAMETERS,
    Assumptions,
    Campaign,
    Offer,
    campaign_summary,
    customer_economics,
    monte_carlo,
    probability_of_loss,
    profit_maximising_campaign,
    resolve,
    select_targets,
)
from retention.roi._checks import share

__all__ = ["Option", "evaluate_option", "evaluate_options", "profit_list_terms", "target_list"]


@dataclass(frozen=True)
class Option:
    """One evaluated campaign: its definition (offer and assumptions resolved), base economics and P(loss)."""

    campaign: Campaign
    summary: Mapping[str, float]
    p_loss: float
    n_draws: int

    @property
    def name(self) -> str:
        return self.campaign.name

    @property
    def targets(self) -> int:
        return int(self.summary["targeted"])

    @property
    def net_profit(self) -> float:
        return float(self.summary["net_profit"])

    @property
    def offer(self) -> Offer:
        return self.campaign.offer  # type: ignore[return-value]  # resolved by evaluate_option

    @property
    def assumptions(self) -> Assumptions:
        return self.campaign.assumptions  # type: ignore[return-value]  # resolved by evaluate_option

    @property
    def pays(self) -> bool:
        """Someone is targeted and the expected net profit is above zero."""
        return self.targets > 0 and self.net_profit > 0

    def as_alternative(self) -> dict[str, Any]:
        """The C6 ``alternatives`` entry (plus break-even uplift and cost model)."""
        return {"campaign": self.name, "targets": self.targets, "expected_net_profit": self.net_profit,
                "roi": float(self.summary["roi"]), "p_loss": self.p_loss,
                "break_even_uplift": float(self.summary["break_even_uplift"]),
                "assumed_uplift": self.assumptions.uplift, "cost_model": self.offer.cost_model()}


def evaluate_option(frame: pd.DataFrame, campaign: Campaign, *, ranges: Mapping[str, Sequence[float]] | None,
                    n_draws: int = 2000, seed: int = 0,
                    value_draws: pd.DataFrame | np.ndarray | None = None,
                    default_offer: Offer | None = None, default_assumptions: Assumptions | None = None,
                    parameter_draws: Mapping[str, Any] | None = None) -> Option:
    """Base economics and P(loss) of one campaign on a decision frame.

    The discount is a choice, not an uncertainty: it is never drawn. P(loss) draws the other ranged parameters
    (and value draws when given) with ``seed``; ``parameter_draws`` replaces some of them by explicit draws
    (e.g. the uplift from a measured interval). Without ranges or draws it is 1 or 0 by the base net profit.
    """
    offer, assumptions = resolve(campaign, campaign.offer or default_offer,
                                 campaign.assumptions or default_assumptions)
    resolved = replace(campaign, offer=offer, assumptions=assumptions)
    summary = campaign_summary(frame, resolved)
    uncertain = {k: v for k, v in (ranges or {}).items() if k in UNCERTAIN_PARAMETERS}
    if summary["targeted"] == 0:
        return Option(resolved, summary, 0.0, 0)
    if not uncertain and value_draws is None and not parameter_draws:
        return Option(resolved, summary, float(summary["net_profit"] < 0), 0)
    draws = monte_carlo(frame, resolved, None, uncertain or {"uplift": (assumptions.uplift, assumptions.uplift)},
                        n_draws=n_draws, seed=seed, value_draws=value_draws, parameter_draws=parameter_draws)
    return Option(resolved, summary, probability_of_loss(draws), n_draws)


def evaluate_options(frame: pd.DataFrame, campaigns: Iterable[Campaign], *, list_offer: Offer,
                     list_assumptions: Assumptions, ranges: Mapping[str, Sequence[float]] | None,
                     n_draws: int = 2000, seed: int = 0, value_draws: pd.DataFrame | np.ndarray | None = None,
                     default_offer: Offer | None = None,
                     default_assumptions: Assumptions | None = None,
                     parameter_draws: Mapping[str, Any] | None = None) -> list[Option]:
    """Every campaign in ``campaigns`` and then the profit-maximising list of the base under ``list_offer``.

    All options share the seed (common random numbers), so their P(loss) differ by their economics, not noise.
    """
    options = [evaluate_option(frame, c, ranges=ranges, n_draws=n_draws, seed=seed, value_draws=value_draws,
                               default_offer=default_offer, default_assumptions=default_assumptions,
                               parameter_draws=parameter_draws)
               for c in campaigns]
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise ValueError(f"campaign names must be unique, got {names}.")
    best_list = profit_maximising_campaign(frame, list_offer, list_assumptions)
    options.append(evaluate_option(frame, best_list, ranges=ranges, n_draws=n_draws, seed=seed,
                                   value_draws=value_draws, parameter_draws=parameter_draws))
    return options


def profit_list_terms(economics: Mapping[str, Any], ranges: Mapping[str, Sequence[float]] | None, *,
                      discount: float = 0.15, uplift: float | None = None, offer_type: str = "next_order",
                      offer_months: int | None = 3) -> tuple[Offer, Assumptions]:
    """The offer and assumptions of the profit-maximising list.

    The question the series was built for is "15% off": that is the default discount. Costs, redemption and
    margin come from the shared ``economics`` (the params' campaign defaults); the uplift, unknown until a test
    measures it, is ``uplift`` when given, else the middle of ``ranges["uplift"]``.
    """
    if uplift is None:
        if not ranges or "uplift" not in ranges:
            raise ValueError("profit_list_terms needs an uplift or an uplift range to take the middle of.")
        low, high = ranges["uplift"]
        uplift = (share(low, "uplift") + share(high, "uplift")) / 2
    offer = Offer(discount=discount, contact_cost=economics.get("contact_cost", 0.0),
                  fixed_cost=economics.get("fixed_cost", 0.0), offer_type=offer_type,
                  offer_months=offer_months if offer_type == "all_orders" else None)
    assumptions = Assumptions(uplift=uplift, redemption_rate=economics["redemption_rate"], margin=economics["margin"],
                              saved_redemption=economics.get("saved_redemption", 1.0))
    return offer, assumptions


def target_list(frame: pd.DataFrame, option: Option) -> pd.DataFrame:
    """The option's target customers, in its ranking order, with their expected economics.

    Index CustomerID; ``Segment`` (when known), then the columns of
    :func:`retention.roi.customer_economics` (``net_profit`` is the customer's expected incremental profit).
    """
    targets = select_targets(frame, option.campaign)
    econ = customer_economics(targets, option.offer, option.assumptions)
    if "Segment" in targets.columns:
        econ.insert(0, "Segment", targets["Segment"].astype(str))
    return econ
