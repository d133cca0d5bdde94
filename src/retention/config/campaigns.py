"""The ``roi`` section: shared economics, the campaigns compared, and the ranges of the uncertain assumptions."""

from __future__ import annotations

import ast
import re
from typing import Annotated, Literal, Self

from pydantic import Field, Strict, field_validator, model_validator

from retention.config.base import Amount, AmountPair, Section, Seed, Share, SharePair, Text, Whole
from retention.config.errors import RuleError, ValueProblem, did_you_mean

__all__ = ["CAMPAIGN_RULE_COLUMNS", "Economics", "CampaignConfig", "RangesConfig", "RoiConfig"]

# The columns a campaign ``rule`` (a pandas query) can use: today's per-customer pool of the ROI report.
# Coordinator: point this at the decisions package's pool columns when it exposes them.
CAMPAIGN_RULE_COLUMNS: tuple[str, ...] = (
    "CustomerID", "churn_probability", "expected_value", "Segment", "risk_band", "Monetary", "expected_loss")
"""Names a campaign ``rule`` may refer to."""

_NEEDED = ("discount", "uplift", "redemption_rate", "margin")
_BACKTICKED = re.compile(r"`([^`]*)`")
Count = Annotated[int, Strict(), Field(ge=1)]


class Economics(Section):
    """Offer and response assumptions; every key optional (a campaign's own value wins over ``roi.economics``)."""

    discount: Share | None = Field(None, description="fraction of the order value given away")
    contact_cost: Amount | None = Field(None, description="cost per targeted customer, in the currency")
    fixed_cost: Amount | None = Field(None, description="campaign set-up cost, in the currency")
    uplift: Share | None = Field(None, description="share of would-be churners the offer saves")
    redemption_rate: Share | None = Field(None, description="share of customers who would have stayed anyway that "
                                                            "redeem the discount")
    margin: Share | None = Field(None, description="gross margin on full-price revenue")
    saved_redemption: Share | None = Field(None, description="share of saved customers who redeem")
    horizon_days: Whole | None = Field(None, ge=1, description="horizon in days of the churn probability and value")


def _rule_names(rule: str) -> list[str]:
    """The column names a pandas query refers to (``ValueError`` when it is not a valid expression)."""
    quoted = _BACKTICKED.findall(rule)
    text = _BACKTICKED.sub("_quoted_", rule)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(rule) from None
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id != "_quoted_"]
    return [*names, *quoted]


class CampaignConfig(Economics):
    """One campaign: a name, at least one target rule (combined with AND), and optionally its own economics."""

    name: Text = Field(description="unique, human-readable name")
    description: str = Field("", description="one line for reports")
    segments: tuple[Text, ...] | None = Field(None, min_length=1, description="target these segments")
    risk_bands: tuple[Literal["Low", "Medium", "High"], ...] | None = Field(None, min_length=1,
                                                                            description="target these risk bands")
    rule: Text | None = Field(None, description="a pandas query on the customer table, e.g. "
                                                "\"Monetary > 100 and risk_band == 'High'\"")
    monetary_quantile: Share | None = Field(None, description="target Monetary at or above this quantile")
    top_n: Whole | None = Field(None, ge=0, description="keep the top_n largest expected losses")

    @field_validator("rule")
    @classmethod
    def _rule_uses_known_columns(cls, rule: str | None) -> str | None:
        if rule is None:
            return rule
        try:
            names = _rule_names(rule)
        except ValueError:
            raise ValueProblem("is not a valid condition", "write a pandas query, e.g. \"Monetary > 100 and "
                                                            "risk_band == 'High'\"") from None
        unknown = [n for n in names if n not in CAMPAIGN_RULE_COLUMNS and n not in ("True", "False")]
        if unknown:
            raise ValueProblem(f"uses {unknown[0]!r}, which is not a column of the customer table",
                               f"use only {list(CAMPAIGN_RULE_COLUMNS)}, with text values in quotes",
                               did_you_mean(unknown[0], CAMPAIGN_RULE_COLUMNS))
        return rule

    @model_validator(mode="after")
    def _has_a_target(self) -> Self:
        if all(getattr(self, k) is None for k in ("segments", "risk_bands", "rule", "monetary_quantile", "top_n")):
            raise ValueProblem("has no target rule", "give at least one of segments, risk_bands, rule, "
                                                     "monetary_quantile, top_n")
        return self


class RangesConfig(Section):
    """Plausible ``[low, high]`` of each uncertain assumption (scenarios, tornado, Monte Carlo)."""

    uplift: SharePair | None = Field(None, description="[low, high] of the uplift")
    redemption_rate: SharePair | None = Field(None, description="[low, high] of the redemption rate")
    margin: SharePair | None = Field(None, description="[low, high] of the margin")
    discount: SharePair | None = Field(None, description="[low, high] of the discount")
    contact_cost: AmountPair | None = Field(None, description="[low, high] of the contact cost")
    fixed_cost: AmountPair | None = Field(None, description="[low, high] of the fixed cost")
    saved_redemption: SharePair | None = Field(None, description="[low, high] of the saved redemption")

    @field_validator("*")
    @classmethod
    def _low_first(cls, pair: tuple[float, float] | None) -> tuple[float, float] | None:
        if pair is not None and pair[0] > pair[1]:
            raise ValueProblem("needs [low, high] with low <= high", "write the lower value first")
        return pair


_DEFAULT_CAMPAIGNS = (
    CampaignConfig(name="Win-back", segments=("Hibernating", "Lost"), discount=0.2, uplift=0.05,
                   description="Reactivate lapsed, low-value customers with one discounted email."),
    CampaignConfig(name="Protect", segments=("Can't Lose Them",), discount=0.15, contact_cost=5.0, uplift=0.15,
                   description="Personal outreach to former best customers who have gone quiet."),
    CampaignConfig(name="Nurture", segments=("Potential Loyalists",), discount=0.1, uplift=0.05,
                   description="Turn recent average buyers into loyal ones with a small incentive."),
    CampaignConfig(name="High-value at risk", segments=("About To Sleep", "Can't Lose Them", "At Risk"),
                   monetary_quantile=0.75, discount=0.15, contact_cost=2.0, uplift=0.1,
                   description="High spenders drifting away (At Risk, Can't Lose Them, About To Sleep)."),
)


class RoiConfig(Section):
    """``roi``: the campaigns compared side by side and their economics."""

    economics: Economics = Field(
        Economics(contact_cost=0.5, fixed_cost=250.0, redemption_rate=0.3, margin=0.4, saved_redemption=1.0),
        description="economics shared by every campaign unless it sets its own; replace with your figures")
    campaigns: tuple[CampaignConfig, ...] = Field(_DEFAULT_CAMPAIGNS, min_length=1,
                                                  description="the campaigns compared side by side")
    scenario: Economics = Field(Economics(), description="changes to the chosen campaign for an exact what-if rerun, "
                                                         "e.g. {discount: 0.2, uplift: 0.12}")
    ranges: RangesConfig = Field(
        RangesConfig(uplift=(0.03, 0.2), redemption_rate=(0.1, 0.5), margin=(0.3, 0.5), discount=(0.05, 0.25),
                     contact_cost=(0.5, 5.0)),
        description="plausible [low, high] of each uncertain assumption, for scenarios, tornado and Monte Carlo")
    what_if_discounts: tuple[Share, ...] = Field((0.05, 0.1, 0.15, 0.2, 0.25, 0.3), min_length=1,
                                                 description="discounts on the what-if sliders")
    what_if_uplifts: tuple[Share, ...] = Field((0.02, 0.05, 0.1, 0.15, 0.2, 0.3), min_length=1,
                                               description="uplifts on the what-if sliders")
    what_if_top_n: tuple[Count, ...] = Field((50, 100, 200, 300, 500, 750, 1000, 1500, 2000), min_length=1,
                                             description="numbers of targets, the top N by expected loss, on the "
                                                         "what-if sliders")
    monte_carlo_draws: Whole = Field(5000, ge=100, le=1_000_000,
                                     description="Monte Carlo draws for the probability of loss")
    seed: Seed = Field(42, description="seed of the Monte Carlo draws")

    @property
    def campaign_names(self) -> tuple[str, ...]:
        """The campaign names, in order."""
        return tuple(c.name for c in self.campaigns)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = self.campaign_names
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise RuleError(f"roi.campaigns: campaign names must be unique; repeated: {repeated}. "
                            f"Fix: rename one of them.", ("roi", "campaigns", names.index(repeated[0]), "name"))
        for i, campaign in enumerate(self.campaigns):
            missing = [k for k in _NEEDED if getattr(campaign, k) is None and getattr(self.economics, k) is None]
            if missing:
                raise RuleError(f"roi.campaigns[{i}] ({campaign.name}) has no {', '.join(missing)}. Fix: set "
                                f"{'it' if len(missing) == 1 else 'them'} in the campaign or in roi.economics.",
                                ("roi", "campaigns", i))
        return self


def _hint(name: str, names: tuple[str, ...]) -> str:
    close = did_you_mean(name, names)
    return f" Did you mean '{close}'?" if close else ""
