"""Campaign definitions: a named target (rules of the targeting registry, then top N by a ranking), an offer
and the assumptions, readable from and writable to the flat dicts of a params file.

A campaign dict (:func:`campaign_from_dict`); every key except ``name`` is optional::

    name: Protect                       # required, unique
    description: Personal outreach to former best customers
    segments: ["Can't Lose Them"]       # target rules (retention.roi.TARGET_RULES), combined with AND
    in_base: true                       #   e.g. only customers of the base
    top_n: 200                          # then keep the N first by rank_by
    rank_by: expected_loss              # a ranking of retention.roi.RANKINGS (default expected_loss)
    discount: 0.15                      # Offer: discount is required once any offer key is given
    contact_cost: 5.0
    fixed_cost: 250.0
    offer_type: next_order              #   cost model: next_order (default) or all_orders
    offer_months: 3                     #   all_orders only
    uplift: 0.15                        # Assumptions: uplift, redemption_rate and margin are required
    redemption_rate: 0.30               #   once any assumption key is given
    margin: 0.40
    saved_redemption: 1.0
    horizon_days: 90

Unknown keys are errors with a "did you mean" suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from retention.roi._checks import unknown_message, whole
from retention.roi.offers import ASSUMPTION_FIELDS, OFFER_FIELDS, OFFER_MODEL_FIELDS, Assumptions, Offer
from retention.roi.targeting import RANKINGS, TARGET_RULES
from retention.segments import AT_RISK_SEGMENTS, SEGMENT_ORDER

__all__ = ["TARGET_FIELDS", "CAMPAIGN_KEYS", "STANDARD_CAMPAIGNS", "STANDARD_ECONOMICS", "Campaign",
           "campaign_keys", "resolve", "campaign_from_dict", "campaign_to_dict", "campaigns_from_dicts",
           "standard_campaigns"]


def _target_fields() -> tuple[str, ...]:
    return (*TARGET_RULES, "top_n", "rank_by")


def campaign_keys() -> tuple[str, ...]:
    """Every key a campaign dict may have, including target rules registered after import."""
    return ("name", "description", *_target_fields(), *OFFER_FIELDS, *OFFER_MODEL_FIELDS, *ASSUMPTION_FIELDS)


TARGET_FIELDS: tuple[str, ...] = _target_fields()
"""Target keys of a campaign dict (the built-in rules, ``top_n`` and ``rank_by``)."""

CAMPAIGN_KEYS: tuple[str, ...] = campaign_keys()
"""Every key a campaign dict may have (built-in rules; see :func:`campaign_keys`)."""


@dataclass(frozen=True)
class Campaign:
    """A named campaign: target rules, optionally the top N by a ranking, and optionally its offer and assumptions.

    Parameters
    ----------
    name : str
        Unique, human-readable name.
    description : str, default ""
    rules : mapping, optional
        ``{rule key: value}`` with keys of :data:`retention.roi.TARGET_RULES`, combined with AND.
    top_n : int, optional
        Keep the ``top_n`` first customers by ``rank_by`` among those the rules select.
    rank_by : str, default "expected_loss"
        A key of :data:`retention.roi.RANKINGS`; also orders the target list.
    offer : Offer, optional
    assumptions : Assumptions, optional
        Used when none are passed to the evaluating function.
    """

    name: str
    description: str = ""
    rules: Mapping[str, Any] = field(default_factory=dict)
    top_n: int | None = None
    rank_by: str = "expected_loss"
    offer: Offer | None = None
    assumptions: Assumptions | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"A campaign needs a name (non-empty text), got {self.name!r}.")
        if not isinstance(self.description, str):
            raise ValueError(f"Campaign {self.name!r}: description must be text, got {self.description!r}.")
        unknown = [k for k in self.rules if k not in TARGET_RULES]
        if unknown:
            raise ValueError(f"Campaign {self.name!r} has " + unknown_message("target rule(s)", unknown, TARGET_RULES))
        rules = {k: TARGET_RULES[k].check(self.rules[k], self.name) for k in TARGET_RULES if k in self.rules}
        object.__setattr__(self, "rules", rules)
        if self.top_n is not None:
            object.__setattr__(self, "top_n", whole(self.top_n, "top_n", 0))
        if self.rank_by not in RANKINGS:
            raise ValueError(f"Campaign {self.name!r}: rank_by: " + unknown_message("ranking", [self.rank_by],
                                                                                    RANKINGS))
        if not rules and self.top_n is None:
            raise ValueError(f"Campaign {self.name!r} has no target rule: give at least one of "
                             f"{', '.join(TARGET_FIELDS[:-1])}.")
        for name, kind in (("offer", Offer), ("assumptions", Assumptions)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise ValueError(f"Campaign {self.name!r}: {name} must be {kind.__name__}, got {type(value).__name__}.")

    def __hash__(self) -> int:
        return hash((self.name, tuple((k, str(v)) for k, v in self.rules.items()), self.top_n, self.rank_by))

    def target_text(self) -> str:
        """The target in words, e.g. ``"Segment in Hibernating, Lost; top 200 by expected loss"``."""
        parts = [TARGET_RULES[k].describe(v) for k, v in self.rules.items()]
        if self.top_n is not None:
            parts.append(f"top {self.top_n} by {RANKINGS[self.rank_by].describe}")
        return "; ".join(parts)


def resolve(campaign: Campaign, offer: Offer | None, assumptions: Assumptions | None) -> tuple[Offer, Assumptions]:
    """Explicit arguments win over the campaign's own offer and assumptions; one of the two must exist."""
    if not isinstance(campaign, Campaign):
        raise TypeError(f"campaign must be a Campaign, got {type(campaign).__name__}.")
    offer = offer if offer is not None else campaign.offer
    assumptions = assumptions if assumptions is not None else campaign.assumptions
    if not isinstance(offer, Offer):
        raise ValueError(f"Campaign {campaign.name!r} has no offer: pass offer=Offer(...) or give it one.")
    if not isinstance(assumptions, Assumptions):
        raise ValueError(f"Campaign {campaign.name!r} has no assumptions: pass Assumptions(...) or give it some.")
    return offer, assumptions


def _build(cls: type, keys: Sequence[str], data: Mapping[str, Any], required: Sequence[str], name: str) -> Any:
    """Build ``cls`` from the keys of ``data`` it owns, or None when it has none; name missing required keys."""
    given = {k: data[k] for k in keys if k in data}
    if not given:
        return None
    missing = [k for k in required if k not in given]
    if missing:
        raise ValueError(f"Campaign {name!r}: {', '.join(given)} given, so {cls.__name__} also needs "
                         f"{', '.join(missing)}.")
    return cls(**given)


def _check_keys(mapping: Any, where: str) -> None:
    if not isinstance(mapping, Mapping):
        raise ValueError(f"A {where} definition must be a mapping of keys to values, got {mapping!r}.")
    keys = campaign_keys()
    unknown = [k for k in mapping if k not in keys]
    if unknown:
        label = f"campaign {mapping.get('name', '?')!r}" if where == "campaign" else "defaults"
        raise ValueError(f"The {label} has " + unknown_message("key(s)", unknown, keys))


def campaign_from_dict(data: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> Campaign:
    """A :class:`Campaign` from a flat dict, e.g. one entry of a params file (shape in the module docstring).

    Parameters
    ----------
    data : mapping
        Keys from :func:`campaign_keys`; ``name`` is required. A value of None means "not given".
    defaults : mapping, optional
        Keys used when ``data`` does not give them (e.g. a shared margin or offer type).

    Returns
    -------
    Campaign
    """
    _check_keys(data, "campaign")
    _check_keys(defaults or {}, "defaults")
    merged = {k: v for k, v in {**(defaults or {}), **data}.items() if v is not None}
    if "name" not in merged:
        raise ValueError(f"A campaign definition needs a 'name', got keys {', '.join(map(str, data))}.")
    name = merged["name"]
    offer = _build(Offer, OFFER_FIELDS + OFFER_MODEL_FIELDS, merged, ("discount",), name)
    assumptions = _build(Assumptions, ASSUMPTION_FIELDS, merged, ASSUMPTION_FIELDS[:3], name)
    rules = {k: merged[k] for k in TARGET_RULES if k in merged}
    return Campaign(name=name, description=merged.get("description", ""), rules=rules, top_n=merged.get("top_n"),
                    rank_by=merged.get("rank_by", "expected_loss"), offer=offer, assumptions=assumptions)


def campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    """The flat dict of a campaign (inverse of :func:`campaign_from_dict`; unset parts are left out)."""
    data: dict[str, Any] = {"name": campaign.name, "description": campaign.description}
    data.update({k: list(v) if isinstance(v, tuple) else v for k, v in campaign.rules.items()})
    if campaign.top_n is not None:
        data["top_n"] = campaign.top_n
    if campaign.rank_by != "expected_loss":
        data["rank_by"] = campaign.rank_by
    if campaign.offer is not None:
        data.update({k: v for k, v in asdict(campaign.offer).items() if v is not None})
    if campaign.assumptions is not None:
        data.update(asdict(campaign.assumptions))
    return data


def campaigns_from_dicts(items: Iterable[Mapping[str, Any]],
                         defaults: Mapping[str, Any] | None = None) -> list[Campaign]:
    """Campaigns from a list of campaign dicts sharing ``defaults``; names must be unique."""
    campaigns = [campaign_from_dict(item, defaults) for item in items]
    names = [c.name for c in campaigns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"Campaign names must be unique; repeated: {', '.join(map(repr, repeated))}.")
    return campaigns


STANDARD_ECONOMICS: dict[str, Any] = {
    "contact_cost": 0.5, "fixed_cost": 250.0, "redemption_rate": 0.3, "margin": 0.4,
    "saved_redemption": 1.0, "horizon_days": 90,
}
"""Illustrative shared defaults of :func:`standard_campaigns`. Replace them with your own figures."""

STANDARD_CAMPAIGNS: dict[str, dict[str, Any]] = {
    "win_back": {
        "name": "Win-back", "segments": ["Hibernating", "Lost"], "discount": 0.20, "uplift": 0.05,
        "description": "Reactivate lapsed, low-value customers with one discounted email.",
    },
    "protect": {
        "name": "Protect", "segments": ["Can't Lose Them"], "discount": 0.15, "contact_cost": 5.0, "uplift": 0.15,
        "description": "Personal outreach to former best customers who have gone quiet.",
    },
    "nurture": {
        "name": "Nurture", "segments": ["Potential Loyalists"], "discount": 0.10, "uplift": 0.05,
        "description": "Turn recent average buyers into loyal ones with a small incentive.",
    },
    "high_value_at_risk": {
        "name": "High-value at risk", "segments": [s for s in SEGMENT_ORDER if s in AT_RISK_SEGMENTS],
        "monetary_quantile": 0.75, "discount": 0.15, "contact_cost": 2.0, "uplift": 0.10,
        "description": "High spenders drifting away (At Risk, Can't Lose Them, About To Sleep).",
    },
}
"""The four standard campaigns as campaign dicts (merged over :data:`STANDARD_ECONOMICS`); uplifts are
placeholders that a holdout test must replace."""


def standard_campaigns(params: Mapping[str, Any] | None = None) -> list[Campaign]:
    """The four standard campaigns: win-back, protect, nurture and high-value at risk.

    Parameters
    ----------
    params : mapping, optional
        ``{"defaults": {...}, "win_back": {...}, ...}``, every part optional, each a (partial) campaign dict.
        Precedence, low to high: :data:`STANDARD_ECONOMICS`, :data:`STANDARD_CAMPAIGNS`, ``params["defaults"]``,
        the campaign's own entry. A None value removes a key.

    Returns
    -------
    list of Campaign
        In the order win-back, protect, nurture, high-value at risk.
    """
    params = dict(params or {})
    unknown = [k for k in params if k not in ("defaults", *STANDARD_CAMPAIGNS)]
    if unknown:
        raise ValueError("standard_campaigns params has " + unknown_message(
            "key(s)", unknown, ("defaults", *STANDARD_CAMPAIGNS)))
    shared = params.get("defaults") or {}
    return [campaign_from_dict({**STANDARD_ECONOMICS, **builtin, **shared, **(params.get(key) or {})})
            for key, builtin in STANDARD_CAMPAIGNS.items()]
