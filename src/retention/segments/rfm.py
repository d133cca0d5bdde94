"""RFM scores and the named segments: quantile scores 1-5, the R x FM grid of rules, descriptions and actions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SEGMENT_ORDER", "DEFAULT_SEGMENT_RULES", "SEGMENT_PORTRAITS", "SEGMENT_ACTIONS", "SEGMENT_DESCRIPTIONS",
           "AT_RISK_SEGMENTS", "GONE_QUIET_SEGMENTS", "SEGMENT_GROUPS", "GROUP_ORDER", "segment_group", "rfm_scores",
           "validate_segment_rules", "assign_segments"]

SEGMENT_ORDER: tuple[str, ...] = (
    "Champions",
    "Loyal Customers",
    "Potential Loyalists",
    "New Customers",
    "Promising",
    "Need Attention",
    "About To Sleep",
    "Can't Lose Them",
    "At Risk",
    "Hibernating",
    "Lost",
)
"""The named segments from best to worst."""

# Inclusive ranges of the R score and of the FM score (rounded mean of F and M). The default grid is a
# partition: every (R, FM) cell is in exactly one rule, so the first-match order does not matter here.
#
#   FM \ R |   1              2              3               4                    5
#   -------+---------------------------------------------------------------------------------------
#     5    | Can't Lose     Can't Lose     Loyal           Champions            Champions
#     4    | At Risk        At Risk        Loyal           Champions            Champions
#     3    | At Risk        At Risk        Need Attention  Potential Loyalists  Potential Loyalists
#     2    | Lost           Hibernating    About To Sleep  Potential Loyalists  Potential Loyalists
#     1    | Lost           Hibernating    About To Sleep  Promising            New Customers
DEFAULT_SEGMENT_RULES: tuple[dict[str, Any], ...] = (
    {"segment": "Champions", "r": [4, 5], "fm": [4, 5]},
    {"segment": "Loyal Customers", "r": [3, 3], "fm": [4, 5]},
    {"segment": "Potential Loyalists", "r": [4, 5], "fm": [2, 3]},
    {"segment": "New Customers", "r": [5, 5], "fm": [1, 1]},
    {"segment": "Promising", "r": [4, 4], "fm": [1, 1]},
    {"segment": "Need Attention", "r": [3, 3], "fm": [3, 3]},
    {"segment": "About To Sleep", "r": [3, 3], "fm": [1, 2]},
    {"segment": "Can't Lose Them", "r": [1, 2], "fm": [5, 5]},
    {"segment": "At Risk", "r": [1, 2], "fm": [3, 4]},
    {"segment": "Hibernating", "r": [2, 2], "fm": [1, 2]},
    {"segment": "Lost", "r": [1, 1], "fm": [1, 2]},
)
"""The 11-segment RFM grid as data: the first rule whose inclusive R and FM ranges match wins."""

SEGMENT_PORTRAITS: dict[str, str] = {
    "Champions": "Bought recently, buy often and spend the most.",
    "Loyal Customers": "Buy often and spend well, though not in the last weeks.",
    "Potential Loyalists": "Recent buyers with average frequency and spend.",
    "New Customers": "Bought very recently, for the first time.",
    "Promising": "Recent buyers who have not spent much yet.",
    "Need Attention": "Average recency, frequency and spend.",
    "About To Sleep": "Below-average recency and low spend.",
    "Can't Lose Them": "Once among the biggest, most frequent buyers; gone quiet.",
    "At Risk": "Spent well and often, but long ago.",
    "Hibernating": "Low spend, few orders, last order long ago.",
    "Lost": "Lowest recency, frequency and spend.",
}
"""Who the customers of each segment are, in one plain sentence."""

SEGMENT_ACTIONS: dict[str, str] = {
    "Champions": "Reward them; ask for reviews; offer early access.",
    "Loyal Customers": "Upsell; invite them to a loyalty programme.",
    "Potential Loyalists": "Offer membership and personal recommendations.",
    "New Customers": "Onboard them; make the second order easy.",
    "Promising": "Build awareness; offer a trial or a bundle.",
    "Need Attention": "Limited-time offers, personal recommendations.",
    "About To Sleep": "Reconnect with popular products and a discount.",
    "Can't Lose Them": "Win them back personally, before a competitor does.",
    "At Risk": "Personal re-engagement emails and renewal offers.",
    "Hibernating": "Relevant products and a special discount.",
    "Lost": "One low-cost revival campaign, otherwise leave them.",
}
"""What to do with each segment, in a few words (the action column of the segment profile)."""

SEGMENT_DESCRIPTIONS: dict[str, str] = {s: f"{SEGMENT_PORTRAITS[s]} {SEGMENT_ACTIONS[s]}" for s in SEGMENT_ORDER}
"""One plain-English line per segment: who they are, then the suggested action."""

AT_RISK_SEGMENTS: frozenset[str] = frozenset({"At Risk", "Can't Lose Them", "About To Sleep"})
"""Segments worth a retention campaign: valuable customers who are drifting away."""

GONE_QUIET_SEGMENTS: frozenset[str] = frozenset({"Hibernating", "Lost"})
"""Segments of customers with a low score on every count and a last order long ago."""

SEGMENT_GROUPS: dict[str, str] = {
    "Champions": "Best",
    "Loyal Customers": "Best",
    "Potential Loyalists": "Recent",
    "New Customers": "Recent",
    "Promising": "Recent",
    "Need Attention": "Middle",
    "About To Sleep": "At risk",
    "Can't Lose Them": "At risk",
    "At Risk": "At risk",
    "Hibernating": "Gone quiet",
    "Lost": "Gone quiet",
}
"""Five broad groups of the eleven segments, for charts that cannot show eleven labels (a phone):
best (Champions, Loyal), recent (bought lately, not much yet), middle, at risk (:data:`AT_RISK_SEGMENTS`)
and gone quiet (:data:`GONE_QUIET_SEGMENTS`)."""

GROUP_ORDER: tuple[str, ...] = ("Best", "Recent", "Middle", "At risk", "Gone quiet")
"""The groups of :data:`SEGMENT_GROUPS` from best to worst."""


def segment_group(names: pd.Series) -> pd.Series:
    """The broad group of each segment name (:data:`SEGMENT_GROUPS`); names outside the default grid (from
    custom rules) are their own group."""
    return names.astype("str").map(lambda s: SEGMENT_GROUPS.get(s, s)).astype("str")


_GRID = range(1, 6)


def _quantile_score(values: pd.Series, n_bins: int, lower_is_better: bool) -> pd.Series:
    """Score 1..n_bins from the share of customers with a strictly worse value.

    ``score = 1 + floor(n_bins * worse / n)`` where ``worse`` counts customers with a strictly worse
    value. A run of tied values is one block that takes the score of its first (worst) position, so
    identical values always share a score and the result does not depend on row order.
    """
    worse_first = values.rank(method="min", ascending=not lower_is_better).astype(np.int64)
    score = 1 + (worse_first - 1) * n_bins // len(values)
    return score.astype(np.int64)


def rfm_scores(features: pd.DataFrame, n_bins: int = 5) -> pd.DataFrame:
    """Quantile scores for Recency, Frequency and Monetary, plus the RFM code and FM score.

    Each score is ``1 + floor(n_bins * s)`` where ``s`` is the share of customers with a strictly
    worse value (for Recency, worse = larger; for Frequency and Monetary, worse = smaller). Ties stay
    together: a block of identical values gets the score of its worst position. Scores therefore
    never depend on row order, and identical values always get identical scores.

    This matters for Frequency, where many customers have exactly one order: the one-order block
    always scores F = 1 (it starts at the bottom), and the next value starts where that block ends.
    When a block spans several quantile bins, the scores it skips are simply unused (for example,
    if 45% of customers have one order, F = 2 is never given and two-order customers score 3).

    Parameters
    ----------
    features : pandas.DataFrame
        At least Recency, Frequency and Monetary without missing values (as from
        :meth:`retention.engine.Session.customer_features`).
    n_bins : int, default 5
        Number of score levels, 2 to 9 (one digit each in the RFM code).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``features``: R, F, M (int, 1 = worst, n_bins = best), RFM (text such as "545")
        and FM (int, mean of F and M rounded half up).
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or not 2 <= n_bins <= 9:
        raise ValueError(f"n_bins must be a whole number from 2 to 9, got {n_bins!r}.")
    needed = ["Recency", "Frequency", "Monetary"]
    missing = [c for c in needed if c not in features.columns]
    if missing:
        raise ValueError(f"features is missing column(s) {missing} needed for RFM scores.")
    if features.empty:
        raise ValueError("features is empty: there are no customers to score.")
    gaps = [c for c in needed if features[c].isna().any()]
    if gaps:
        raise ValueError(f"features has missing values in {gaps}; RFM scores need complete values.")
    scores = pd.DataFrame({
        "R": _quantile_score(features["Recency"], n_bins, lower_is_better=True),
        "F": _quantile_score(features["Frequency"], n_bins, lower_is_better=False),
        "M": _quantile_score(features["Monetary"], n_bins, lower_is_better=False),
    }, index=features.index)
    code = scores["R"].astype(str) + scores["F"].astype(str) + scores["M"].astype(str)
    scores["RFM"] = code.astype("str")
    scores["FM"] = ((scores["F"] + scores["M"] + 1) // 2).astype(np.int64)
    return scores


# --------------------------------------------------------------------------------------------------
# Named segments
# --------------------------------------------------------------------------------------------------

def _score_range(rule: Mapping[str, Any], key: str, where: str) -> tuple[int, int]:
    """The inclusive (low, high) range of ``rule[key]``, checked to lie within 1..5."""
    value = rule.get(key)
    if (not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2
            or not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value)):
        raise ValueError(f"{where}: '{key}' must be an inclusive range [low, high] of whole scores, "
                         f"got {value!r}.")
    low, high = int(value[0]), int(value[1])
    if not 1 <= low <= high <= 5:
        raise ValueError(f"{where}: '{key}' range {[low, high]} must satisfy 1 <= low <= high <= 5.")
    return low, high


def validate_segment_rules(rules: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check segment rules and that together they cover every (R, FM) cell of the 5 x 5 grid.

    Each rule is a mapping ``{"segment": name, "r": [low, high], "fm": [low, high]}`` with inclusive
    score ranges within 1..5. Overlaps are allowed (the first matching rule wins in
    :func:`assign_segments`); holes are not, so every customer gets exactly one segment.

    Parameters
    ----------
    rules : iterable of mappings
        The rules, in priority order.

    Returns
    -------
    list of dict
        The rules as plain dicts with integer ranges, in the same order.

    Raises
    ------
    ValueError
        If a rule is malformed, or naming every (R, FM) cell that no rule covers.
    """
    checked: list[dict[str, Any]] = []
    for i, rule in enumerate(rules):
        where = f"segment rule {i}"
        if not isinstance(rule, Mapping):
            raise ValueError(f"{where} must be a mapping with keys segment, r and fm, got {rule!r}.")
        unknown = sorted(set(rule) - {"segment", "r", "fm"})
        if unknown:
            raise ValueError(f"{where} has unknown key(s) {unknown}; use segment, r and fm.")
        name = rule.get("segment")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where} needs a non-empty 'segment' name, got {name!r}.")
        where = f"segment rule {i} ({name})"
        checked.append({"segment": name, "r": list(_score_range(rule, "r", where)),
                        "fm": list(_score_range(rule, "fm", where))})
    if not checked:
        raise ValueError("segment rules are empty; give at least one rule.")
    holes = [(r, fm) for r in _GRID for fm in _GRID
             if not any(c["r"][0] <= r <= c["r"][1] and c["fm"][0] <= fm <= c["fm"][1] for c in checked)]
    if holes:
        cells = ", ".join(f"(R={r}, FM={fm})" for r, fm in holes)
        raise ValueError(f"segment rules leave {len(holes)} (R, FM) cell(s) without a segment: {cells}.")
    return checked


def assign_segments(scores: pd.DataFrame,
                    rules: Iterable[Mapping[str, Any]] = DEFAULT_SEGMENT_RULES) -> pd.Series:
    """Name each customer's segment from its R and FM scores (the first matching rule wins).

    Parameters
    ----------
    scores : pandas.DataFrame
        R and FM scores from 1 to 5, as from :func:`rfm_scores` with ``n_bins=5``.
    rules : iterable of mappings, default DEFAULT_SEGMENT_RULES
        Segment rules, checked with :func:`validate_segment_rules`.

    Returns
    -------
    pandas.Series
        Segment name per customer (text), named "Segment", indexed like ``scores``.
    """
    checked = validate_segment_rules(rules)
    missing = [c for c in ("R", "FM") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores is missing column(s) {missing}; compute them with rfm_scores.")
    for column in ("R", "FM"):
        values = scores[column]
        if values.isna().any() or not values.isin(list(_GRID)).all():
            raise ValueError(f"scores['{column}'] must hold whole scores from 1 to 5 (use n_bins=5).")
    r = scores["R"].to_numpy()
    fm = scores["FM"].to_numpy()
    conditions = [(r >= c["r"][0]) & (r <= c["r"][1]) & (fm >= c["fm"][0]) & (fm <= c["fm"][1])
                  for c in checked]
    names = np.select(conditions, [c["segment"] for c in checked], default="")
    return pd.Series(names, index=scores.index, name="Segment", dtype="str")
