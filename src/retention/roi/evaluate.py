"""Evaluate campaigns on a customer table: targets, expected economics, tables, the profit curve and the
profit-maximising list."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from retention.roi.campaign import Campaign, resolve
from retention.roi.columns import ID, IN_BASE, PROBA, REVENUE, SEGMENT
from retention.roi.economics import (
    SUMMARY_KEYS,
    Pool,
    customer_economics,
    prepare_customers,
    response_arrays,
    summary,
    totals,
)
from retention.roi.offers import PARAMETERS, Assumptions, Offer, parameter_values
from retention.roi.targeting import RANKINGS, ranking_order, rule_columns, rule_mask, score_customers
from retention.segments import SEGMENT_ORDER

__all__ = ["PROFIT_LIST_NAME", "select_targets", "campaign_summary", "roi_table", "segment_economics",
           "profit_curve", "best_n", "profit_maximising_campaign", "parameter_columns"]

PROFIT_LIST_NAME = "Profit-maximising list"


def select_targets(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None = None,
                   assumptions: Assumptions | None = None) -> pd.DataFrame:
    """The customers a campaign targets, in the order of its ranking.

    Parameters
    ----------
    customers : pandas.DataFrame
        Index ``CustomerID`` (or such a column); ``churn_probability``, ``expected_revenue_if_alive``, the
        offer's cost base column and the columns the campaign's rules use.
    campaign : Campaign
    offer, assumptions : optional
        Override the campaign's own (needed to score ``expected_profit``).

    Returns
    -------
    pandas.DataFrame
        The targeted rows with ``value_at_stake``, ``expected_loss`` and ``expected_profit`` added, ordered by
        the campaign's ``rank_by`` descending (ties by CustomerID). May be empty.
    """
    offer, assumptions = resolve(campaign, offer, assumptions)
    scored = score_customers(customers, offer, assumptions, extra=rule_columns(campaign.rules))
    chosen = scored[rule_mask(scored, campaign.rules, campaign.name)]
    chosen = chosen.iloc[ranking_order(chosen.index, chosen[RANKINGS[campaign.rank_by].column].to_numpy())]
    return chosen if campaign.top_n is None else chosen.iloc[:campaign.top_n]


def campaign_summary(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None = None,
                     assumptions: Assumptions | None = None) -> dict[str, float]:
    """Expected economics of one campaign (keys :data:`~retention.roi.economics.SUMMARY_KEYS`).

    ``targeted`` (int), ``expected_churners`` (sum p), ``value_at_stake`` (sum m R), ``expected_loss``
    (sum p m R), ``saved_customers``, ``saved_revenue``, ``incremental_margin``, ``discount_cost`` (saved +
    wasted), ``discount_cost_saved``, ``discount_cost_wasted``, ``contact_cost``, ``fixed_cost`` (0 when nobody
    is targeted), ``total_cost``, ``net_profit``, ``roi`` (NaN when nothing is spent), ``break_even_uplift``.
    """
    offer, assumptions = resolve(campaign, offer, assumptions)
    targets = select_targets(customers, campaign, offer, assumptions)
    return summary(Pool.of(targets, offer), parameter_values(offer, assumptions))


def parameter_columns(offer: Offer, assumptions: Assumptions) -> dict[str, object]:
    """Parameters for a table row; the costs are named ``offer_contact_cost`` / ``offer_fixed_cost`` so they do
    not clash with the totals, and ``cost_model`` says in words how the discount is charged."""
    values = parameter_values(offer, assumptions)
    row: dict[str, object] = {("offer_" + k if k in ("contact_cost", "fixed_cost") else k): float(values[k])
                              for k in PARAMETERS}
    row.update(offer_type=offer.offer_type, offer_months=offer.offer_months, cost_model=offer.cost_model())
    return row


def roi_table(customers: pd.DataFrame, campaigns: Iterable[Campaign], default_offer: Offer | None = None,
              default_assumptions: Assumptions | None = None) -> pd.DataFrame:
    """One row per campaign: description, target in words, parameters, cost model and expected economics.

    Campaigns without an offer / assumptions of their own use the defaults (a campaign's own always wins).
    Index ``campaign``; names must be unique.
    """
    rows = {}
    for campaign in campaigns:
        offer = campaign.offer if campaign.offer is not None else default_offer
        assumptions = campaign.assumptions if campaign.assumptions is not None else default_assumptions
        offer, assumptions = resolve(campaign, offer, assumptions)
        if campaign.name in rows:
            raise ValueError(f"Campaign names must be unique; repeated: {campaign.name!r}.")
        rows[campaign.name] = {"description": campaign.description, "target": campaign.target_text(),
                               **parameter_columns(offer, assumptions),
                               **campaign_summary(customers, campaign, offer, assumptions)}
    if not rows:
        raise ValueError("campaigns is empty: give at least one Campaign.")
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("campaign")


def _segment_order(names: Iterable[str]) -> list[str]:
    """Standard segments in :data:`SEGMENT_ORDER`, then other names alphabetically."""
    names = set(names)
    return [s for s in SEGMENT_ORDER if s in names] + sorted(names - set(SEGMENT_ORDER))


def segment_economics(customers: pd.DataFrame, offer: Offer, assumptions: Assumptions) -> pd.DataFrame:
    """The economics of making ``offer`` to every customer of each segment, one standalone campaign per segment.

    Each row carries the full fixed cost, so rows do not add up to one campaign over several segments.
    Index ``Segment`` (standard order, then others alphabetically); columns ``customers`` and the rest of
    :data:`~retention.roi.economics.SUMMARY_KEYS`.
    """
    values = parameter_values(offer, assumptions)
    frame = prepare_customers(customers, extra=[SEGMENT], amounts=[offer.cost_base_column])
    base = frame[offer.cost_base_column].to_numpy(dtype=float)
    p, revenue = frame[PROBA].to_numpy(dtype=float), frame[REVENUE].to_numpy(dtype=float)
    weight, value, anyway = response_arrays(frame)
    sums = pd.DataFrame({"segment": frame[SEGMENT].astype(str).to_numpy(), "n": 1.0, "sp": p, "sr": revenue,
                         "spr": p * revenue, "sw": weight, "swv": weight * value, "swb": weight * base,
                         "sqb": anyway * base}).groupby("segment").sum()
    sums = sums.reindex(_segment_order(sums.index))
    pool = Pool(**{k: sums[k].to_numpy() for k in Pool.FIELDS})
    econ_totals = totals(pool, values)
    table = pd.DataFrame({k: econ_totals[k] for k in SUMMARY_KEYS}, index=pd.Index(sums.index, name=SEGMENT))
    table["targeted"] = table["targeted"].astype(int)
    return table.rename(columns={"targeted": "customers"})


def profit_curve(customers: pd.DataFrame, offer: Offer, assumptions: Assumptions) -> pd.DataFrame:
    """Cumulative expected net profit of targeting the N customers with the highest expected incremental profit.

    Returns one row per N (``N = 0`` first): ``N``, ``CustomerID`` (the customer added at this step; missing
    for N = 0), ``p_churn``, ``value_at_stake``, ``net_profit`` (that customer's) and
    ``cumulative_net_profit`` (sum of the first N, minus the fixed cost once N >= 1).
    """
    econ = customer_economics(customers, offer, assumptions)
    ranked = econ.iloc[ranking_order(econ.index, econ["net_profit"].to_numpy())]
    net = ranked["net_profit"].to_numpy()
    return pd.DataFrame({
        "N": np.arange(len(ranked) + 1),
        ID: ranked.index.astype(object).insert(0, None),
        "p_churn": np.concatenate([[np.nan], ranked["p_churn"].to_numpy()]),
        "value_at_stake": np.concatenate([[np.nan], ranked["value_at_stake"].to_numpy()]),
        "net_profit": np.concatenate([[0.0], net]),
        "cumulative_net_profit": np.concatenate([[0.0], np.cumsum(net) - offer.fixed_cost]),
    })


def best_n(curve: pd.DataFrame) -> tuple[int, float]:
    """``(N, cumulative net profit)`` at the maximum of a :func:`profit_curve`, smallest N on ties;
    ``(0, 0.0)`` when nothing pays."""
    missing = [c for c in ("N", "cumulative_net_profit") if c not in curve.columns]
    if missing:
        raise ValueError(f"curve is missing column(s) {', '.join(missing)}: pass the output of profit_curve().")
    position = int(np.argmax(curve["cumulative_net_profit"].to_numpy(dtype=float)))
    return int(curve["N"].iloc[position]), float(curve["cumulative_net_profit"].iloc[position])


def profit_maximising_campaign(customers: pd.DataFrame, offer: Offer, assumptions: Assumptions, *,
                               base_only: bool = True, name: str = PROFIT_LIST_NAME) -> Campaign:
    """The campaign "customers with a positive expected incremental profit, highest first" under ``offer``.

    Adding a customer with a positive expected incremental profit always raises the total, so the list is every
    such customer (of the base when ``base_only`` and the table has ``in_base``), ranked by that profit. It is
    returned even when its total does not cover the fixed cost (then its expected net profit is negative and a
    decision will not recommend it) or when it is empty (``top_n = 0``: nobody is worth the offer).
    """
    scored = score_customers(customers, offer, assumptions)
    rules: dict[str, object] = {"profitable": True}
    if base_only and IN_BASE in scored.columns:
        rules = {"in_base": True, **rules}
    n = int(rule_mask(scored, rules, name).sum())
    return Campaign(name, description=f"Customers{' of the base' if 'in_base' in rules else ''} whose expected "
                    f"incremental profit from the offer is positive, highest first.", rules=rules, top_n=n,
                    rank_by="expected_profit", offer=offer, assumptions=assumptions)

