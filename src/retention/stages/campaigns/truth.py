"""The campaigns decision against the generator's truth (generated data only)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from retention import decisions as dc
from retention import roi
from retention.roi.columns import BUY_ANYWAY, IN_BASE, RESPONSE_VALUE, RESPONSE_WEIGHT
from retention.stages.campaigns.regime import Regime, economics_settings
from retention.stages.context import Context

__all__ = ["TruthCheck", "truth_check"]

_RESPONSE = (RESPONSE_WEIGHT, RESPONSE_VALUE, BUY_ANYWAY)


@dataclass(frozen=True)
class TruthCheck:
    """The decision against the generator's truth (generated data only)."""

    horizon_days: int                    # the truth window the profits are counted over
    nonbuyers: dict[str, float]          # share of true non-buyers in the churn horizon: at risk, base, lapsed
    options: pd.DataFrame                # expected vs true net profit of every option (both regimes, first model)
    lists: dict[str, float]              # the focus list vs the oracle and a random list of the same size
    focus: str | None
    uplift: dict[str, float]             # predicted vs true mean uplift on the focus list



def _truth_window(months: int) -> int:
    from retention.generator.truth import OFFER_MONTH_DAYS

    return OFFER_MONTH_DAYS.get(int(months), 365)


def truth_check(ctx: Context, regime: Regime, assumed: Regime | None, frame: pd.DataFrame) -> TruthCheck | None:
    """The decision against the generator's truth; None when the data has no truth (not generated)."""
    truth = ctx.truth()
    if truth is None:
        return None
    from retention.generator.truth import true_incremental_profit_by_customer

    d, horizon = ctx.params.decision, ctx.params.churn.horizon_days
    margin = economics_settings(ctx)["margin"]
    window = _truth_window(d.horizon_months)
    known = truth.reindex(frame.index)

    def true_profit(offer: roi.Offer) -> pd.Series:
        return true_incremental_profit_by_customer(
            known, discount=offer.discount, margin=margin, contact_cost=offer.contact_cost,
            offer_type=offer.offer_type, offer_months=offer.offer_months, horizon_days=window)

    column = f"purchases_next_{horizon}d" if f"purchases_next_{horizon}d" in truth.columns else "purchases_next_90d"
    nonbuyers = dc.nonbuyer_shares(frame, known, column=column)
    parts = [dc.options_against_truth(regime.frame, regime.options, true_profit, model=regime.source)]
    if assumed is not None:
        parts.append(dc.options_against_truth(assumed.frame, assumed.options, true_profit, model=assumed.source))
    # The first version of the model: a saved customer worth the whole value at stake, the uplift assumed.
    first = frame.drop(columns=[c for c in _RESPONSE if c in frame.columns])
    first_list = roi.profit_maximising_campaign(first, assumed.list_offer if assumed else regime.list_offer,
                                                assumed.list_assumptions if assumed else regime.list_assumptions)
    first_option = dc.evaluate_option(first, first_list, ranges=None)
    parts.append(dc.options_against_truth(first, [first_option], true_profit, model="first version"))
    focus = regime.decision.focus
    lists: dict[str, float] = {}
    uplift: dict[str, float] = {}
    if focus is not None and focus.targets > 0:
        ids = dc.target_list(regime.frame, focus).index
        base = frame.index[frame[IN_BASE].to_numpy(bool)]
        lists = dc.list_against_truth(ids, true_profit(focus.offer), seed=ctx.params.roi.seed, pool=base)
        lists = {k: (v - focus.offer.fixed_cost if k != "n" else v) for k, v in lists.items()}
        lists["expected"] = focus.net_profit
        tau = regime.frame.loc[ids, RESPONSE_WEIGHT] * focus.assumptions.uplift
        uplift = {"model_points": float(tau.mean()), "true_points": float(known.loc[ids, "true_offer_uplift"].mean())}
    return TruthCheck(horizon_days=window, nonbuyers=nonbuyers, options=pd.concat(parts, ignore_index=True),
                      lists=lists, focus=focus.name if focus is not None else None, uplift=uplift)
