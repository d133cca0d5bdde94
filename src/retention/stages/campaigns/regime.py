"""The decision of the campaigns stage under one response model (a measured or an assumed uplift).

A :class:`Regime` is every params campaign and the profit-maximising list evaluated the same way
(:mod:`retention.decisions`, :mod:`retention.roi`) under one response model, and the decision it gives; the
campaigns stage builds one for the measured uplift when a controlled test exists and one for the assumed uplift
beside it, and tabulates and compares their options here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention import decisions as dc
from retention import roi
from retention.stages.context import Context

__all__ = ["QUESTION_DISCOUNT", "QUESTION_N", "Regime", "aligned_value_draws", "comparison_table", "control_rate",
           "decide_under", "economics_settings", "options_table"]

QUESTION_DISCOUNT = 0.15
QUESTION_N = 500
"""The question the series was built for: "15% to the 500 highest-risk customers: do we make money?"."""


@dataclass(frozen=True)
class Regime:
    """One way of deciding: the response model, every option evaluated under it and the decision it gives."""

    response: dc.ResponseModel
    frame: pd.DataFrame                  # the decision frame with this regime's response columns
    options: tuple[dc.Option, ...]
    decision: dc.Decision
    ranges: Mapping[str, tuple[float, float]]
    uplift_draws: np.ndarray | None      # the measured uplift's draws (None: uniform over the range)
    list_offer: roi.Offer
    list_assumptions: roi.Assumptions

    @property
    def source(self) -> str:
        return self.response.source


# -- inputs ---------------------------------------------------------------------------------------------------

def control_rate(effects: pd.DataFrame) -> float | None:
    """The control group's purchase rate of the whole test (None when the effects table has no such row)."""
    if not {"by", "outcome", "control_mean"} <= set(effects.columns):
        return None
    rows = effects[(effects["by"] == "all") & (effects["outcome"] == "purchased")]
    return float(rows["control_mean"].iloc[0]) if len(rows) == 1 else None


def aligned_value_draws(draws: pd.DataFrame, index: pd.Index) -> pd.DataFrame | None:
    """The value model's draws for the customers of ``index`` (None when there are none for all)."""
    if draws.shape[1] == 0 or not index.isin(draws.index).all():
        return None
    return draws.loc[index]


def economics_settings(ctx: Context) -> dict[str, Any]:
    """The params economics in force (margin, costs ...), without the unset ones."""
    return ctx.params.roi.economics.model_dump(exclude_none=True)


def _ranges(ctx: Context) -> dict[str, tuple[float, float]]:
    return {k: tuple(v) for k, v in ctx.params.roi.ranges.model_dump(exclude_none=True).items()}


# -- the decision under one response model ----------------------------------------------------------------------

def decide_under(ctx: Context, frame: pd.DataFrame, response: dc.ResponseModel, predicted: pd.Series,
                 value_draws: pd.DataFrame | None) -> Regime:
    """Every params campaign and the profit-maximising list evaluated under ``response``, and the decision."""
    r, d = ctx.params.roi, ctx.params.decision
    economics = economics_settings(ctx)
    ranges = _ranges(ctx)
    frame = frame.join(dc.response_columns(frame, response, predicted))
    dicts = [c.model_dump(exclude_none=True) for c in r.campaigns]
    uplift_draws = None
    if response.measured:
        dicts = [{**c, "uplift": min(max(float(response.uplift), 0.0), 1.0)} for c in dicts]
        ranges = {**ranges, "uplift": response.range()}
        uplift_draws = response.draws(r.monte_carlo_draws, seed=r.seed)
    defaults = {**economics, "offer_type": d.offer_type, "offer_months": d.offer_months}
    campaigns = roi.campaigns_from_dicts(dicts, defaults=defaults)
    list_offer, list_assumptions = dc.profit_list_terms(
        economics, ranges, discount=QUESTION_DISCOUNT, offer_type=d.offer_type, offer_months=d.offer_months,
        uplift=min(max(float(response.uplift), 0.0), 1.0) if response.measured else None)
    draws = None if uplift_draws is None else {"uplift": uplift_draws}
    options = dc.evaluate_options(frame, campaigns, list_offer=list_offer, list_assumptions=list_assumptions,
                                  ranges=ranges, n_draws=r.monte_carlo_draws, seed=r.seed, value_draws=value_draws,
                                  parameter_draws=draws)
    decision = dc.decide(options, max_p_loss=d.max_p_loss, pinned_campaign=d.pinned_campaign, currency=ctx.currency,
                         uplift_low=ranges["uplift"][0] if "uplift" in ranges else None,
                         uplift_source=response.source)
    return Regime(response=response, frame=frame, options=tuple(options), decision=decision, ranges=ranges,
                  uplift_draws=uplift_draws, list_offer=list_offer, list_assumptions=list_assumptions)


def options_table(regime: Regime) -> pd.DataFrame:
    """One row per option of ``regime``: its economics, whether it pays and is acceptable, its verdict."""
    rows = []
    for o in regime.options:
        row = o.as_alternative()
        s = o.summary
        row.update(source=regime.source, target=o.campaign.target_text(),
                   pays=bool(o.pays), acceptable=bool(o.pays and o.p_loss <= regime.decision.max_p_loss),
                   extra_buyers=float(s["saved_customers"]), incremental_margin=float(s["incremental_margin"]),
                   discount_cost=float(s["discount_cost"]), contact_cost=float(s["contact_cost"]),
                   fixed_cost=float(s["fixed_cost"]), total_cost=float(s["total_cost"]),
                   expected_loss=float(s["expected_loss"]), value_at_stake=float(s["value_at_stake"]))
        rows.append(row)
    focus = regime.decision.focus
    table = pd.DataFrame(rows)
    table["recommended"] = (table["campaign"] == focus.name) & (regime.decision.action == "run") if focus else False
    table["verdict"] = [_verdict(o, regime.decision) for o in regime.options]
    return table


def _verdict(option: dc.Option, decision: dc.Decision) -> str:
    """The option's result in words; "pays" only with an expected profit."""
    if option.targets == 0:
        return "Targets nobody in this data"
    chosen = decision.chosen is not None and decision.chosen.name == option.name
    if not option.pays:
        return "Loses money" + (" (pinned in params)" if chosen else "")
    if option.p_loss > decision.max_p_loss:
        return (f"Pays on average, but loses money in {option.p_loss:.0%} of simulations (limit "
                f"{decision.max_p_loss:.0%})" + ("; pinned in params" if chosen else ""))
    return "Pays with acceptable risk" + ("; recommended" if chosen else "")


def comparison_table(assumed: Regime, measured: Regime) -> pd.DataFrame:
    """The assumed and the measured regime's options side by side, in the measured regime's order."""
    a = options_table(assumed).set_index("campaign")
    m = options_table(measured).set_index("campaign")
    keep = ["targets", "assumed_uplift", "expected_net_profit", "p_loss", "pays"]
    out = a[keep].add_suffix("_assumed").join(m[keep].add_suffix("_measured"), how="outer")
    return out.reindex([o.name for o in measured.options]).reset_index()
