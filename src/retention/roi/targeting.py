"""Who a campaign targets: a registry of target rules and of rankings.

A campaign names target rules (combined with AND), then optionally keeps its ``top_n`` customers by one
ranking. Adding a rule is one :class:`TargetRule` registered in :data:`TARGET_RULES` plus its function;
adding a ranking is one :class:`Ranking` in :data:`RANKINGS`. Rules and rankings see the *scored* customer
table (:func:`score_customers`): every input column plus ``value_at_stake``, ``expected_loss`` and
``expected_profit`` (the customer's expected incremental profit under the campaign's offer).

Example of a new rule (a hypothetical country filter)::

    def _countries(frame, value, campaign):
        return frame["Country"].astype(str).isin(value).to_numpy(dtype=bool)

    register_target_rule(TargetRule("countries", _countries, check=lambda value, campaign: tuple(value),
                                    describe=lambda v: "Country in " + ", ".join(v), columns=("Country",)))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from retention.roi._checks import names, share, unknown_message
from retention.roi.columns import (
    AT_RISK,
    EXPECTED_LOSS,
    EXPECTED_PROFIT,
    ID,
    IN_BASE,
    MONETARY,
    PROBA,
    RISK_BAND,
    SEGMENT,
    VALUE_AT_STAKE,
)
from retention.roi.economics import customer_economics, prepare_customers
from retention.roi.offers import Assumptions, Offer
from retention.segments import SEGMENT_ORDER

__all__ = ["RISK_BANDS", "TargetRule", "Ranking", "TARGET_RULES", "RANKINGS", "register_target_rule",
           "register_ranking", "score_customers", "rule_mask", "ranking_order", "rule_columns"]

BoolArray = NDArray[np.bool_]
RISK_BANDS: tuple[str, ...] = ("Low", "Medium", "High")


@dataclass(frozen=True)
class TargetRule:
    """One way to choose customers, keyed by its name in a campaign dict.

    Parameters
    ----------
    key : str
        The campaign-dict key (e.g. ``"segments"``).
    select : callable
        ``select(scored_frame, value, campaign_name) -> bool array``, one entry per customer.
    check : callable
        ``check(value, campaign_name) -> value`` validates and normalises the value (raise ValueError).
    describe : callable
        ``describe(value) -> str``, the rule in words.
    columns : tuple of str
        Input columns the rule needs (checked before it runs).
    """

    key: str
    select: Callable[[pd.DataFrame, Any, str], BoolArray]
    check: Callable[[Any, str], Any]
    describe: Callable[[Any], str]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranking:
    """An order of customers (descending ``column`` of the scored table, ties by CustomerID)."""

    key: str
    column: str
    describe: str


TARGET_RULES: dict[str, TargetRule] = {}
"""Registered target rules, in the order they were registered."""

RANKINGS: dict[str, Ranking] = {}
"""Registered rankings for ``top_n`` and ``rank_by``."""


def register_target_rule(rule: TargetRule) -> TargetRule:
    """Add a target rule (its key must be new)."""
    if rule.key in TARGET_RULES or rule.key in ("top_n", "rank_by"):
        raise ValueError(f"a target rule named {rule.key!r} already exists.")
    TARGET_RULES[rule.key] = rule
    return rule


def register_ranking(ranking: Ranking) -> Ranking:
    """Add a ranking (its key must be new)."""
    if ranking.key in RANKINGS:
        raise ValueError(f"a ranking named {ranking.key!r} already exists.")
    RANKINGS[ranking.key] = ranking
    return ranking


# -- checks -------------------------------------------------------------------------------------------------

def _names_check(key: str) -> Callable[[Any, str], tuple[str, ...]]:
    return lambda value, campaign: names(value, key, campaign)


def _flag_check(key: str) -> Callable[[Any, str], bool]:
    def check(value: Any, campaign: str) -> bool:
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"Campaign {campaign!r}: {key} must be true or false, got {value!r}.")
        return bool(value)
    return check


def _query_check(value: Any, campaign: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"Campaign {campaign!r}: rule must be a non-empty pandas query, got {value!r}.")
    return value


def _check_known(values: pd.Series, wanted: Sequence[str], standard: Sequence[str], kind: str,
                 campaign: str) -> None:
    """ValueError when a campaign names a segment or risk band that neither exists nor is standard."""
    present = set(values.dropna().astype(str))
    known = list(standard) + sorted(present - set(standard))
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(f"Campaign {campaign!r} targets " + unknown_message(kind, unknown, known))


# -- rules --------------------------------------------------------------------------------------------------

def _segments(frame: pd.DataFrame, value: tuple[str, ...], campaign: str) -> BoolArray:
    _check_known(frame[SEGMENT], value, SEGMENT_ORDER, "segment(s)", campaign)
    return frame[SEGMENT].astype(str).isin(value).to_numpy(dtype=bool)


def _risk_bands(frame: pd.DataFrame, value: tuple[str, ...], campaign: str) -> BoolArray:
    _check_known(frame[RISK_BAND], value, RISK_BANDS, "risk band(s)", campaign)
    return frame[RISK_BAND].astype(str).isin(value).to_numpy(dtype=bool)


def _query(frame: pd.DataFrame, value: str, campaign: str) -> BoolArray:
    try:
        result = frame.eval(value, engine="python")
    except Exception as exc:  # pandas raises many types for a bad expression; all mean the same to a user
        raise ValueError(f"Campaign {campaign!r}: rule {value!r} could not be evaluated ({type(exc).__name__}: "
                         f"{exc}). Columns it can use: {ID}, {', '.join(map(str, frame.columns))}.") from exc
    if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result.dtype):
        raise ValueError(f"Campaign {campaign!r}: rule {value!r} must be a True/False condition per customer, "
                         f"e.g. \"Monetary > 100 and risk_band == 'High'\".")
    return result.fillna(False).to_numpy(dtype=bool)


def _monetary_quantile(frame: pd.DataFrame, value: float, campaign: str) -> BoolArray:
    monetary = pd.to_numeric(frame[MONETARY], errors="coerce")
    return (monetary >= monetary.quantile(value)).fillna(False).to_numpy(dtype=bool)


def _flag_rule(column: str) -> Callable[[pd.DataFrame, bool, str], BoolArray]:
    def select(frame: pd.DataFrame, value: bool, campaign: str) -> BoolArray:
        return frame[column].astype(bool).to_numpy(dtype=bool) == value
    return select


def _profitable(frame: pd.DataFrame, value: bool, campaign: str) -> BoolArray:
    return (frame[EXPECTED_PROFIT].to_numpy(dtype=float) > 0.0) == value


register_target_rule(TargetRule("segments", _segments, _names_check("segments"),
                                lambda v: "Segment in " + ", ".join(v), (SEGMENT,)))
register_target_rule(TargetRule("risk_bands", _risk_bands, _names_check("risk_bands"),
                                lambda v: "risk band in " + ", ".join(v), (RISK_BAND,)))
register_target_rule(TargetRule("rule", _query, _query_check, lambda v: v))
register_target_rule(TargetRule("monetary_quantile", _monetary_quantile,
                                lambda v, c: share(v, "monetary_quantile"),
                                lambda v: f"Monetary at or above its {v:.0%} quantile", (MONETARY,)))
register_target_rule(TargetRule("in_base", _flag_rule(IN_BASE), _flag_check("in_base"),
                                lambda v: "in the customer base" if v else "lapsed (not in the base)", (IN_BASE,)))
register_target_rule(TargetRule("at_risk", _flag_rule(AT_RISK), _flag_check("at_risk"),
                                lambda v: "at risk" if v else "not at risk", (AT_RISK,)))
register_target_rule(TargetRule("profitable", _profitable, _flag_check("profitable"),
                                lambda v: "expected incremental profit above zero" if v
                                else "expected incremental profit of zero or less"))

register_ranking(Ranking("expected_loss", EXPECTED_LOSS, "expected loss"))
register_ranking(Ranking("churn_probability", PROBA, "churn probability"))
register_ranking(Ranking("expected_profit", EXPECTED_PROFIT, "expected incremental profit"))
register_ranking(Ranking("value_at_stake", VALUE_AT_STAKE, "value at stake"))


# -- applying rules -----------------------------------------------------------------------------------------

def rule_columns(rules: Mapping[str, Any]) -> list[str]:
    """The input columns a set of rules needs."""
    return list(dict.fromkeys(c for key in rules for c in TARGET_RULES[key].columns))


def score_customers(customers: pd.DataFrame, offer: Offer, assumptions: Assumptions,
                    extra: Sequence[str] = ()) -> pd.DataFrame:
    """The customer table indexed by CustomerID with ``value_at_stake``, ``expected_loss`` and
    ``expected_profit`` (the customer's expected incremental profit under ``offer``) added."""
    frame = prepare_customers(customers, extra=extra, amounts=[offer.cost_base_column])
    econ = customer_economics(frame, offer, assumptions)
    return frame.assign(**{VALUE_AT_STAKE: econ["value_at_stake"], EXPECTED_LOSS: econ["expected_loss"],
                           EXPECTED_PROFIT: econ["net_profit"]})


def rule_mask(scored: pd.DataFrame, rules: Mapping[str, Any], campaign: str) -> BoolArray:
    """AND of the rules on a scored table (all True when there are no rules)."""
    mask = np.ones(len(scored), dtype=bool)
    for key, value in rules.items():
        mask &= TARGET_RULES[key].select(scored, value, campaign)
    return mask


def ranking_order(ids: pd.Index, score: Any) -> NDArray[np.intp]:
    """Positions ordered by ``score`` descending, ties by ID ascending (never by input order)."""
    key = pd.DataFrame({"score": np.asarray(score, dtype=float), "id": ids}, index=pd.RangeIndex(len(ids)))
    return key.sort_values(["score", "id"], ascending=[False, True], kind="stable").index.to_numpy()
