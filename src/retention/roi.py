"""Honest campaign economics: who a retention campaign targets, what it costs, what it saves and how sure we are.

The module works on a per-customer table ``customers`` (index ``CustomerID``; a ``CustomerID`` column is
used as the index when present) with the columns

* ``churn_probability`` -- calibrated probability of no purchase in the next ``H`` days (``p``),
* ``expected_value`` -- expected revenue over the horizon if the customer stays (``v``, currency),
* ``Segment``, ``risk_band`` and ``Monetary`` -- only needed by the target rules that use them.

It never sees a model object and never draws anything.

Notation
--------
Per targeted customer: ``p`` churn probability, ``v`` expected value. Offer (:class:`Offer`): ``d`` discount
(fraction of the order value given away), ``c`` contact cost per targeted customer, ``F`` fixed set-up cost.
Assumptions (:class:`Assumptions`): ``u`` uplift (share of would-be churners the offer saves), ``r``
redemption rate (share of customers who would have stayed anyway that redeem), ``m`` gross margin share of
revenue, ``s`` saved redemption (share of saved customers who redeem, usually 1).

Per-customer formulas (:func:`customer_economics`)
--------------------------------------------------
``saved_value = p * u * v``
    Only would-be churners (``p``) can be saved and the offer saves a share ``u`` of them; the revenue of
    customers who would have stayed anyway is never counted as saved (no phantom revenue).
``incremental_margin = m * saved_value``
    Gross margin is a share of full-price revenue; the discount is taken off separately below.
``discount_cost_saved = p * u * s * d * v``
    Saved customers come back through the offer and pay ``d`` less on their order value.
``discount_cost_wasted = (1 - p) * r * d * v``
    Customers who would have bought anyway and redeem get a discount for nothing: pure cost, no saved value.
``contact_cost = c``
    Every targeted customer is contacted, whatever they do.
``net_profit = incremental_margin - discount_cost_saved - discount_cost_wasted - contact_cost``
    ``= p u v (m - s d) - (1 - p) r d v - c``.

The discount is a revenue reduction: it lowers what the customer pays one-for-one while the cost of the goods
is unchanged, so it is subtracted at face value (``d * v``), not as ``m * d * v``. A saved customer who
redeems is therefore worth ``(m - d) * v``: an offer with ``d >= m`` can never pay. The discount is applied
to the whole horizon revenue ``v`` of a redeemer; that is conservative for a one-off voucher -- pass an
effective discount (voucher value / horizon revenue) if the voucher covers a single order.

Campaign totals (:func:`campaign_summary`)
------------------------------------------
Sums over the targets, minus the fixed cost ``F`` once when at least one customer is targeted (a campaign
that targets nobody is not run: it costs nothing and its ROI is NaN). ``total_cost`` is all discounts plus
contact plus fixed cost; ``roi = net_profit / total_cost`` (NaN when the cost is 0). Net profit is linear in
the uplift, ``net = u * A - B`` with ``A = sum p v (m - s d)`` and ``B = sum (1 - p) r d v + n c + F``, so
the break-even uplift is ``B / A``. It is ``inf`` when ``A <= 0 < B`` (each saved customer costs more in
discount than the margin they bring: no uplift pays) and NaN when ``A <= 0`` and ``B = 0`` (nothing at stake,
e.g. no targets). A break-even uplift above 1 means that even saving every churner would not pay.

Because the totals depend on the customers only through ``n``, ``sum p v`` and ``sum (1 - p) v``, the
sensitivity tools (:func:`grid`, :func:`what_if_grid`, :func:`tornado`, :func:`monte_carlo`) compute these
sums once and combine them with arrays of parameters, with no loop over customers or draws.

Campaigns in a params file
--------------------------
:func:`campaign_from_dict` reads one flat mapping per campaign; every key except ``name`` is optional::

    name: Win-back                      # required, unique
    description: Reactivate lapsed low-value customers
    segments: [Hibernating, Lost]       # target rules, combined with AND; at least one is required
    risk_bands: [High]
    rule: "Monetary > 100 and Segment != 'Lost'"   # pandas query on the customer table
    monetary_quantile: 0.75             # Monetary at or above this quantile of all customers
    top_n: 200                          # then keep the N largest expected losses (p * v)
    discount: 0.15                      # Offer: discount is required once any offer key is given
    contact_cost: 1.0
    fixed_cost: 250.0
    uplift: 0.10                        # Assumptions: uplift, redemption_rate and margin are required
    redemption_rate: 0.30               #   once any assumption key is given
    margin: 0.40
    saved_redemption: 1.0
    horizon_days: 90

Unknown keys are errors. Without offer (assumption) keys the campaign has no :class:`Offer`
(:class:`Assumptions`) of its own and one must be passed when it is evaluated.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from retention.segments import AT_RISK_SEGMENTS, SEGMENT_ORDER

__all__ = [
    "OFFER_FIELDS",
    "ASSUMPTION_FIELDS",
    "PARAMETERS",
    "TARGET_FIELDS",
    "CAMPAIGN_KEYS",
    "SUMMARY_KEYS",
    "STANDARD_CAMPAIGNS",
    "STANDARD_ECONOMICS",
    "Offer",
    "Assumptions",
    "Campaign",
    "override",
    "select_targets",
    "customer_economics",
    "campaign_summary",
    "profit_curve",
    "best_n",
    "scenarios_from_ranges",
    "scenario_table",
    "tornado",
    "grid",
    "what_if_grid",
    "monte_carlo",
    "probability_of_loss",
    "campaign_from_dict",
    "campaign_to_dict",
    "campaigns_from_dicts",
    "standard_campaigns",
    "roi_table",
    "segment_economics",
]

FloatArray = NDArray[np.float64]

ID = "CustomerID"
PROBA = "churn_probability"
VALUE = "expected_value"
SEGMENT = "Segment"
RISK_BAND = "risk_band"
MONETARY = "Monetary"
EXPECTED_LOSS = "expected_loss"
RISK_BANDS: tuple[str, ...] = ("Low", "Medium", "High")

OFFER_FIELDS: tuple[str, ...] = ("discount", "contact_cost", "fixed_cost")
"""Fields of :class:`Offer`, also the offer keys of a campaign dict."""

ASSUMPTION_FIELDS: tuple[str, ...] = ("uplift", "redemption_rate", "margin", "saved_redemption", "horizon_days")
"""Fields of :class:`Assumptions`, also the assumption keys of a campaign dict."""

PARAMETERS: tuple[str, ...] = OFFER_FIELDS + ASSUMPTION_FIELDS[:4]
"""The numbers that drive the economics: what scenarios, tornado ranges and Monte Carlo ranges may vary."""

TARGET_FIELDS: tuple[str, ...] = ("segments", "risk_bands", "rule", "monetary_quantile", "top_n")
"""Target rules of a :class:`Campaign`, combined with AND (``top_n`` is applied last)."""

CAMPAIGN_KEYS: tuple[str, ...] = ("name", "description", *TARGET_FIELDS, *OFFER_FIELDS, *ASSUMPTION_FIELDS)
"""Every key a campaign dict may have (see :func:`campaign_from_dict`)."""

SUMMARY_KEYS: tuple[str, ...] = (
    "targeted", "expected_churners", "revenue_at_risk", "saved_customers", "saved_revenue", "incremental_margin",
    "discount_cost", "discount_cost_saved", "discount_cost_wasted", "contact_cost", "fixed_cost", "total_cost",
    "net_profit", "roi", "break_even_uplift",
)
"""Keys of :func:`campaign_summary`, in order."""

_SHARES: dict[str, str] = {
    "discount": "a fraction of the order value",
    "uplift": "the share of would-be churners the offer saves",
    "redemption_rate": "the share of customers who would have stayed anyway that redeem",
    "margin": "the gross margin share of revenue",
    "saved_redemption": "the share of saved customers who redeem",
    "monetary_quantile": "a quantile of Monetary",
}
_AMOUNTS: tuple[str, ...] = ("contact_cost", "fixed_cost")
# Which end of a range is the good one, for scenarios_from_ranges (net profit is monotone in each parameter
# when the offer can pay at all, i.e. margin > saved_redemption * discount).
_HIGHER_IS_BETTER: dict[str, bool] = {
    "uplift": True, "margin": True, "redemption_rate": False, "saved_redemption": False,
    "discount": False, "contact_cost": False, "fixed_cost": False,
}

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


# ---------------------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------------------

def _number(value: Any, name: str) -> float:
    """``value`` as a finite float, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return number


def _share(value: Any, name: str) -> float:
    """A number between 0 and 1 (inclusive), or a ValueError that says what the share means."""
    number = _number(value, name)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1 ({_SHARES[name]}), got {value!r}.")
    return number


def _amount(value: Any, name: str) -> float:
    """A non-negative amount of money, or a ValueError."""
    number = _number(value, name)
    if number < 0.0:
        raise ValueError(f"{name} must be zero or more (an amount of money), got {value!r}.")
    return number


def _whole(value: Any, name: str, minimum: int) -> int:
    """A whole number at least ``minimum``, or a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}.")
    return int(value)


def _check_parameter(name: str, value: Any) -> float:
    """Validate one value of a :data:`PARAMETERS` entry."""
    return _amount(value, name) if name in _AMOUNTS else _share(value, name)


def _unknown_message(kind: str, unknown: Iterable[str], known: Iterable[str]) -> str:
    """'unknown X: 'a' (did you mean 'b'?); known: ...' with close-match suggestions."""
    known = list(known)
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(str(name), known, n=1)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"unknown {kind}: {', '.join(parts)}. Known: {', '.join(known)}."


def _names(value: Any, key: str, campaign: str) -> tuple[str, ...]:
    """A non-empty tuple of names from a string or a sequence of strings."""
    items = (value,) if isinstance(value, str) else tuple(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise ValueError(f"Campaign {campaign!r}: {key} must be a non-empty list of names, got {value!r}.")
    return items


# ---------------------------------------------------------------------------------------------------------
# Offer, assumptions, campaign
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Offer:
    """What the campaign gives and what it costs to run.

    Parameters
    ----------
    discount : float
        Fraction of the order value given away, 0..1.
    contact_cost : float, default 0
        Cost per targeted customer (email, print, call), currency.
    fixed_cost : float, default 0
        Campaign set-up cost, currency; charged once when at least one customer is targeted.
    """

    discount: float
    contact_cost: float = 0.0
    fixed_cost: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "discount", _share(self.discount, "discount"))
        for name in _AMOUNTS:
            object.__setattr__(self, name, _amount(getattr(self, name), name))


@dataclass(frozen=True)
class Assumptions:
    """What we believe about customers' response; none of it is measured until a holdout test is run.

    Parameters
    ----------
    uplift : float
        Share of would-be churners the offer saves, 0..1.
    redemption_rate : float
        Share of customers who would have stayed anyway that redeem the discount, 0..1 (the wasted budget).
    margin : float
        Gross margin share of full-price revenue, 0..1.
    saved_redemption : float, default 1
        Share of saved customers who redeem, 0..1 (they come back because of the offer).
    horizon_days : int, default 90
        Horizon of ``churn_probability`` and ``expected_value``; for labels only.
    """

    uplift: float
    redemption_rate: float
    margin: float
    saved_redemption: float = 1.0
    horizon_days: int = 90

    def __post_init__(self) -> None:
        for name in ASSUMPTION_FIELDS[:4]:
            object.__setattr__(self, name, _share(getattr(self, name), name))
        object.__setattr__(self, "horizon_days", _whole(self.horizon_days, "horizon_days", 1))


@dataclass(frozen=True)
class Campaign:
    """A named campaign: a target rule plus, optionally, its offer and assumptions.

    The target rules present are combined with AND: ``segments``, ``risk_bands``, ``rule`` and
    ``monetary_quantile`` filter the customers, then ``top_n`` keeps the largest expected losses. At least
    one rule is required.

    Parameters
    ----------
    name : str
        Unique, human-readable name.
    description : str, default ""
        One line for reports.
    segments, risk_bands : tuple of str, optional
        Target customers whose ``Segment`` / ``risk_band`` is one of these (lists are turned into tuples).
    rule : str, optional
        A pandas query on the customer table, e.g. ``"Monetary > 100 and risk_band == 'High'"``; it can use
        every column, ``CustomerID`` and ``expected_loss`` (``churn_probability * expected_value``).
    monetary_quantile : float, optional
        Target customers with ``Monetary`` at or above this quantile of ``Monetary`` over all customers.
    top_n : int, optional
        Keep the ``top_n`` largest expected losses among the customers the other rules select.
    offer : Offer, optional
    assumptions : Assumptions, optional
        Used when none are passed to the evaluating function.
    """

    name: str
    description: str = ""
    segments: tuple[str, ...] | None = None
    risk_bands: tuple[str, ...] | None = None
    rule: str | None = None
    monetary_quantile: float | None = None
    top_n: int | None = None
    offer: Offer | None = None
    assumptions: Assumptions | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"A campaign needs a name (non-empty text), got {self.name!r}.")
        if not isinstance(self.description, str):
            raise ValueError(f"Campaign {self.name!r}: description must be text, got {self.description!r}.")
        for key in ("segments", "risk_bands"):
            if getattr(self, key) is not None:
                object.__setattr__(self, key, _names(getattr(self, key), key, self.name))
        if self.rule is not None and (not isinstance(self.rule, str) or not self.rule.strip()):
            raise ValueError(f"Campaign {self.name!r}: rule must be a non-empty pandas query, got {self.rule!r}.")
        if self.monetary_quantile is not None:
            object.__setattr__(self, "monetary_quantile", _share(self.monetary_quantile, "monetary_quantile"))
        if self.top_n is not None:
            object.__setattr__(self, "top_n", _whole(self.top_n, "top_n", 0))
        if all(getattr(self, key) is None for key in TARGET_FIELDS):
            raise ValueError(f"Campaign {self.name!r} has no target rule: give at least one of "
                             f"{', '.join(TARGET_FIELDS)}.")
        if self.offer is not None and not isinstance(self.offer, Offer):
            raise ValueError(f"Campaign {self.name!r}: offer must be an Offer, got {type(self.offer).__name__}.")
        if self.assumptions is not None and not isinstance(self.assumptions, Assumptions):
            raise ValueError(f"Campaign {self.name!r}: assumptions must be Assumptions, "
                             f"got {type(self.assumptions).__name__}.")

    def target_text(self) -> str:
        """The target rule in words, e.g. ``"Segment in Hibernating, Lost; top 200 by expected loss"``."""
        parts = []
        if self.segments is not None:
            parts.append("Segment in " + ", ".join(self.segments))
        if self.risk_bands is not None:
            parts.append("risk band in " + ", ".join(self.risk_bands))
        if self.rule is not None:
            parts.append(self.rule)
        if self.monetary_quantile is not None:
            parts.append(f"Monetary at or above its {self.monetary_quantile:.0%} quantile")
        if self.top_n is not None:
            parts.append(f"top {self.top_n} by expected loss")
        return "; ".join(parts)


def override(offer: Offer, assumptions: Assumptions, changes: Mapping[str, Any]) -> tuple[Offer, Assumptions]:
    """A copy of ``offer`` and ``assumptions`` with some fields changed, by flat name.

    Parameters
    ----------
    offer : Offer
    assumptions : Assumptions
    changes : mapping
        ``{field: value}`` with fields from :data:`OFFER_FIELDS` or :data:`ASSUMPTION_FIELDS`.

    Returns
    -------
    (Offer, Assumptions)
        Validated copies.

    Raises
    ------
    ValueError
        For an unknown field or an out-of-range value.
    """
    unknown = [k for k in changes if k not in OFFER_FIELDS + ASSUMPTION_FIELDS]
    if unknown:
        raise ValueError(_unknown_message("parameter(s)", unknown, OFFER_FIELDS + ASSUMPTION_FIELDS))
    offer_changes = {k: v for k, v in changes.items() if k in OFFER_FIELDS}
    assumption_changes = {k: v for k, v in changes.items() if k in ASSUMPTION_FIELDS}
    return replace(offer, **offer_changes), replace(assumptions, **assumption_changes)


def _resolve(campaign: Campaign, offer: Offer | None, assumptions: Assumptions | None) -> tuple[Offer, Assumptions]:
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


def _values(offer: Offer, assumptions: Assumptions) -> dict[str, Any]:
    """Offer and assumptions as one flat dict of parameters."""
    if not isinstance(offer, Offer):
        raise TypeError(f"offer must be an Offer, got {type(offer).__name__}.")
    if not isinstance(assumptions, Assumptions):
        raise TypeError(f"assumptions must be Assumptions, got {type(assumptions).__name__}.")
    return {**asdict(offer), **asdict(assumptions)}


# ---------------------------------------------------------------------------------------------------------
# Customers and targets
# ---------------------------------------------------------------------------------------------------------

def _examples(index: pd.Index, n: int = 3) -> str:
    """The first few IDs of ``index`` as text."""
    return ", ".join(repr(i) for i in index[:n]) + (", ..." if len(index) > n else "")


def _prepare(customers: pd.DataFrame, extra: Iterable[str] = ()) -> pd.DataFrame:
    """Check the customer table and return it indexed by ``CustomerID``.

    Raises a ValueError naming missing columns, duplicate CustomerIDs, and probabilities outside 0..1 or
    expected values that are missing, infinite or negative.
    """
    if not isinstance(customers, pd.DataFrame):
        raise TypeError(f"customers must be a pandas DataFrame, got {type(customers).__name__}.")
    frame = customers.set_index(ID) if ID in customers.columns else customers
    frame = frame.rename_axis(ID)
    needed = list(dict.fromkeys([PROBA, VALUE, *extra]))
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"customers is missing column(s) {', '.join(map(repr, missing))}; needed here: "
                         f"{', '.join(needed)}; present: {', '.join(map(str, frame.columns))}.")
    duplicated = frame.index[frame.index.duplicated()].unique()
    if len(duplicated):
        raise ValueError(f"customers has {len(duplicated)} duplicate CustomerID(s): {_examples(duplicated)}; "
                         f"there must be one row per customer.")
    p = pd.to_numeric(frame[PROBA], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~((p >= 0.0) & (p <= 1.0))
    if bad.any():
        raise ValueError(f"churn_probability must be between 0 and 1 for every customer; {int(bad.sum())} are "
                         f"not (missing or out of range): {_examples(frame.index[bad])}.")
    v = pd.to_numeric(frame[VALUE], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~(np.isfinite(v) & (v >= 0.0))
    if bad.any():
        raise ValueError(f"expected_value must be a finite amount of zero or more for every customer; "
                         f"{int(bad.sum())} are not: {_examples(frame.index[bad])}.")
    return frame


def _pv(frame: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    """Churn probabilities and expected values of a prepared frame as float arrays."""
    p = pd.to_numeric(frame[PROBA]).to_numpy(dtype=float)
    v = pd.to_numeric(frame[VALUE]).to_numpy(dtype=float)
    return p, v


def _ranking(ids: pd.Index, score: ArrayLike) -> NDArray[np.intp]:
    """Positions ordered by ``score`` descending, ties by ID ascending (never by input order)."""
    key = pd.DataFrame({"score": np.asarray(score, dtype=float), "id": ids}, index=pd.RangeIndex(len(ids)))
    return key.sort_values(["score", "id"], ascending=[False, True], kind="stable").index.to_numpy()


def _check_known(values: pd.Series, wanted: Sequence[str], standard: Iterable[str], kind: str,
                 campaign: str) -> None:
    """ValueError when a campaign names a segment or risk band that neither exists nor is standard."""
    present = set(values.dropna().astype(str))
    known = list(standard) + sorted(present - set(standard))
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(f"Campaign {campaign!r} targets " + _unknown_message(kind, unknown, known))


def _rule_mask(frame: pd.DataFrame, rule: str, campaign: str) -> NDArray[np.bool_]:
    """Evaluate a pandas query rule to one True/False per customer."""
    try:
        result = frame.eval(rule, engine="python")
    except Exception as exc:  # pandas raises many types for a bad expression; all mean the same to a user
        raise ValueError(f"Campaign {campaign!r}: rule {rule!r} could not be evaluated ({type(exc).__name__}: "
                         f"{exc}). Columns it can use: {ID}, {', '.join(map(str, frame.columns))}.") from exc
    if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result.dtype):
        raise ValueError(f"Campaign {campaign!r}: rule {rule!r} must be a True/False condition per customer, "
                         f"e.g. \"Monetary > 100 and risk_band == 'High'\".")
    return result.fillna(False).to_numpy(dtype=bool)


def _target_columns(campaign: Campaign) -> list[str]:
    """The columns a campaign's target rules need beyond probability and value."""
    columns = []
    if campaign.segments is not None:
        columns.append(SEGMENT)
    if campaign.risk_bands is not None:
        columns.append(RISK_BAND)
    if campaign.monetary_quantile is not None:
        columns.append(MONETARY)
    return columns


def select_targets(customers: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """The customers a campaign targets, largest expected loss first.

    Parameters
    ----------
    customers : pandas.DataFrame
        Index ``CustomerID`` (or a ``CustomerID`` column); ``churn_probability``, ``expected_value`` and the
        columns the campaign's rules use (``Segment``, ``risk_band``, ``Monetary``).
    campaign : Campaign

    Returns
    -------
    pandas.DataFrame
        The targeted rows with an extra column ``expected_loss`` (``churn_probability * expected_value``),
        ordered by expected loss descending, ties by CustomerID ascending. May be empty.

    Raises
    ------
    ValueError
        For missing columns, duplicate CustomerIDs, invalid probabilities or values, segments or risk bands
        that are neither standard nor present (the message lists the known ones), or a rule that fails.
    """
    if not isinstance(campaign, Campaign):
        raise TypeError(f"campaign must be a Campaign, got {type(campaign).__name__}.")
    frame = _prepare(customers, _target_columns(campaign))
    p, v = _pv(frame)
    frame = frame.assign(**{EXPECTED_LOSS: p * v})
    mask = np.ones(len(frame), dtype=bool)
    if campaign.segments is not None:
        _check_known(frame[SEGMENT], campaign.segments, SEGMENT_ORDER, "segment(s)", campaign.name)
        mask &= frame[SEGMENT].astype(str).isin(campaign.segments).to_numpy(dtype=bool)
    if campaign.risk_bands is not None:
        _check_known(frame[RISK_BAND], campaign.risk_bands, RISK_BANDS, "risk band(s)", campaign.name)
        mask &= frame[RISK_BAND].astype(str).isin(campaign.risk_bands).to_numpy(dtype=bool)
    if campaign.monetary_quantile is not None:
        monetary = pd.to_numeric(frame[MONETARY], errors="coerce")
        mask &= (monetary >= monetary.quantile(campaign.monetary_quantile)).fillna(False).to_numpy(dtype=bool)
    if campaign.rule is not None:
        mask &= _rule_mask(frame, campaign.rule, campaign.name)
    chosen = frame[mask]
    chosen = chosen.iloc[_ranking(chosen.index, chosen[EXPECTED_LOSS].to_numpy())]
    return chosen if campaign.top_n is None else chosen.iloc[:campaign.top_n]


# ---------------------------------------------------------------------------------------------------------
# Economics
# ---------------------------------------------------------------------------------------------------------

def customer_economics(targets: pd.DataFrame, offer: Offer, assumptions: Assumptions) -> pd.DataFrame:
    """Expected incremental economics of offering ``offer`` to each customer (formulas in the module docstring).

    Parameters
    ----------
    targets : pandas.DataFrame
        Customers with ``churn_probability`` and ``expected_value``, e.g. from :func:`select_targets`.
    offer : Offer
    assumptions : Assumptions

    Returns
    -------
    pandas.DataFrame
        Index CustomerID in the order of ``targets``; columns ``p_churn``, ``expected_value``,
        ``saved_value``, ``incremental_margin``, ``discount_cost_saved``, ``discount_cost_wasted``,
        ``contact_cost``, ``net_profit``. The fixed cost is a campaign cost and is not in these rows.
    """
    values = _values(offer, assumptions)
    frame = _prepare(targets)
    p, v = _pv(frame)
    d, u = values["discount"], values["uplift"]
    saved = p * u * v
    table = pd.DataFrame({
        "p_churn": p,
        "expected_value": v,
        "saved_value": saved,
        "incremental_margin": values["margin"] * saved,
        "discount_cost_saved": values["saved_redemption"] * d * saved,
        "discount_cost_wasted": (1.0 - p) * values["redemption_rate"] * d * v,
        "contact_cost": np.full(len(frame), values["contact_cost"]),
    }, index=frame.index)
    table["net_profit"] = (table["incremental_margin"] - table["discount_cost_saved"]
                           - table["discount_cost_wasted"] - table["contact_cost"])
    return table


@dataclass(frozen=True)
class _Pool:
    """The only customer statistics campaign totals depend on (scalars or arrays that broadcast)."""

    n: Any  # number of targeted customers
    sp: Any  # sum of p: expected churners
    pv: Any  # sum of p * v: revenue at risk
    qv: Any  # sum of (1 - p) * v: revenue of those who would stay anyway

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Pool:
        """Sums over a prepared customer frame."""
        p, v = _pv(frame)
        return cls(n=float(len(p)), sp=float(p.sum()), pv=float((p * v).sum()), qv=float(((1.0 - p) * v).sum()))


def _ratio(numerator: ArrayLike, denominator: ArrayLike) -> FloatArray:
    """``numerator / denominator`` where the denominator is positive, NaN elsewhere."""
    num, den = np.broadcast_arrays(np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float))
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _break_even(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Root of ``u * a - b``: ``b / a`` when ``a > 0``; inf when ``a <= 0 < b``; NaN when both are ``<= 0``."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    root = np.divide(b, a, out=np.full(a.shape, np.inf), where=a > 0)
    return np.where((a <= 0) & (b <= 0), np.nan, root)


def _economics(pool: _Pool, values: Mapping[str, Any]) -> dict[str, FloatArray]:
    """Campaign totals for a pool and parameters; everything broadcasts, so arrays give whole sweeps at once."""
    u, r, m, s = (np.asarray(values[k], dtype=float) for k in ASSUMPTION_FIELDS[:4])
    d, c, f = (np.asarray(values[k], dtype=float) for k in OFFER_FIELDS)
    n = np.asarray(pool.n, dtype=float)
    saved = u * pool.pv
    discount_saved = s * d * saved
    discount_wasted = r * d * pool.qv
    contact = c * n
    fixed = f * (n > 0)
    total_cost = discount_saved + discount_wasted + contact + fixed
    net = m * saved - total_cost
    out = {
        "targeted": n, "expected_churners": np.asarray(pool.sp, dtype=float),
        "revenue_at_risk": np.asarray(pool.pv, dtype=float), "saved_customers": u * pool.sp,
        "saved_revenue": saved, "incremental_margin": m * saved,
        "discount_cost": discount_saved + discount_wasted, "discount_cost_saved": discount_saved,
        "discount_cost_wasted": discount_wasted, "contact_cost": contact, "fixed_cost": fixed,
        "total_cost": total_cost, "net_profit": net, "roi": _ratio(net, total_cost),
        "break_even_uplift": _break_even(pool.pv * (m - s * d), discount_wasted + contact + fixed),
    }
    shape = np.broadcast_shapes(*(a.shape for a in out.values()))
    return {k: np.broadcast_to(a, shape) for k, a in out.items()}


def _parameter_columns(values: Mapping[str, Any]) -> dict[str, float]:
    """Parameters for a table row; the two costs become ``offer_contact_cost`` and ``offer_fixed_cost`` so
    they do not clash with the summary's totals ``contact_cost`` and ``fixed_cost``."""
    return {("offer_" + k if k in _AMOUNTS else k): float(values[k]) for k in PARAMETERS}


def _summary(pool: _Pool, values: Mapping[str, Any]) -> dict[str, float]:
    """Scalar campaign totals as plain Python numbers (``targeted`` as int)."""
    econ = _economics(pool, values)
    summary: dict[str, float] = {k: float(econ[k]) for k in SUMMARY_KEYS}
    summary["targeted"] = int(pool.n)
    return summary


def campaign_summary(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None = None,
                     assumptions: Assumptions | None = None) -> dict[str, float]:
    """Expected economics of one campaign.

    Parameters
    ----------
    customers : pandas.DataFrame
        All customers (see :func:`select_targets`).
    campaign : Campaign
    offer, assumptions : optional
        Override the campaign's own; required when the campaign has none.

    Returns
    -------
    dict
        Keys :data:`SUMMARY_KEYS`: ``targeted`` (int), ``expected_churners`` (sum p), ``revenue_at_risk``
        (sum p v), ``saved_customers``, ``saved_revenue``, ``incremental_margin``, ``discount_cost`` (saved +
        wasted), ``discount_cost_saved``, ``discount_cost_wasted``, ``contact_cost``, ``fixed_cost`` (0 when
        nobody is targeted), ``total_cost``, ``net_profit``, ``roi`` (NaN when the cost is 0) and
        ``break_even_uplift`` (``inf`` when no uplift pays, NaN when nothing is at stake).
    """
    offer, assumptions = _resolve(campaign, offer, assumptions)
    return _summary(_Pool.of(select_targets(customers, campaign)), _values(offer, assumptions))


# ---------------------------------------------------------------------------------------------------------
# Profit curve
# ---------------------------------------------------------------------------------------------------------

def profit_curve(customers: pd.DataFrame, offer: Offer, assumptions: Assumptions) -> pd.DataFrame:
    """Cumulative expected net profit of targeting the N most profitable customers, N = 0..len(customers).

    Parameters
    ----------
    customers : pandas.DataFrame
        The candidate pool (all customers, or the targets of a campaign).
    offer : Offer
    assumptions : Assumptions

    Returns
    -------
    pandas.DataFrame
        One row per N (``N = 0`` first): ``N``, ``CustomerID`` (the customer added at this step; missing
        for N = 0), ``p_churn``, ``expected_value``, ``net_profit`` (that customer's) and
        ``cumulative_net_profit`` (sum of the first N, minus the fixed cost once N >= 1). Customers are
        ranked by their own net profit, descending, ties by CustomerID.
    """
    econ = customer_economics(customers, offer, assumptions)
    ranked = econ.iloc[_ranking(econ.index, econ["net_profit"].to_numpy())]
    net = ranked["net_profit"].to_numpy()
    cumulative = np.concatenate([[0.0], np.cumsum(net) - offer.fixed_cost])
    return pd.DataFrame({
        "N": np.arange(len(ranked) + 1),
        ID: ranked.index.astype(object).insert(0, None),
        "p_churn": np.concatenate([[np.nan], ranked["p_churn"].to_numpy()]),
        "expected_value": np.concatenate([[np.nan], ranked["expected_value"].to_numpy()]),
        "net_profit": np.concatenate([[0.0], net]),
        "cumulative_net_profit": cumulative,
    })


def best_n(curve: pd.DataFrame) -> tuple[int, float]:
    """The most profitable campaign size on a :func:`profit_curve`.

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`profit_curve`.

    Returns
    -------
    (int, float)
        ``(N, cumulative net profit)`` at the maximum, the smallest N on ties; ``(0, 0.0)`` when nothing pays.
    """
    missing = [c for c in ("N", "cumulative_net_profit") if c not in curve.columns]
    if missing:
        raise ValueError(f"curve is missing column(s) {', '.join(missing)}: pass the output of profit_curve().")
    position = int(np.argmax(curve["cumulative_net_profit"].to_numpy(dtype=float)))
    return int(curve["N"].iloc[position]), float(curve["cumulative_net_profit"].iloc[position])


# ---------------------------------------------------------------------------------------------------------
# Sensitivity
# ---------------------------------------------------------------------------------------------------------

def _check_ranges(ranges: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Validated ``{parameter: (low, high)}``; each end must be a valid value and low <= high."""
    if not ranges:
        raise ValueError(f"ranges is empty: give {{parameter: (low, high)}} for some of {', '.join(PARAMETERS)}.")
    unknown = [k for k in ranges if k not in PARAMETERS]
    if unknown:
        raise ValueError("ranges has " + _unknown_message("parameter(s)", unknown, PARAMETERS))
    checked = {}
    for name, pair in ranges.items():
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"ranges[{name!r}] must be a pair (low, high), got {pair!r}.")
        low, high = (_check_parameter(name, x) for x in pair)
        if low > high:
            raise ValueError(f"ranges[{name!r}] must be (low, high) with low <= high, got {pair!r}.")
        checked[name] = (low, high)
    return checked


def scenarios_from_ranges(ranges: Mapping[str, tuple[float, float]]) -> dict[str, dict[str, float]]:
    """Pessimistic / base / optimistic scenarios from parameter ranges.

    The pessimistic scenario takes the bad end of every range (low uplift and margin; high redemption
    rates, discount and costs), the optimistic one the good end, and base changes nothing.

    Parameters
    ----------
    ranges : mapping
        ``{parameter: (low, high)}`` with parameters from :data:`PARAMETERS`.

    Returns
    -------
    dict
        ``{"pessimistic": {...}, "base": {}, "optimistic": {...}}``, ready for :func:`scenario_table`.
    """
    checked = _check_ranges(ranges)
    bad = {k: (hi if not _HIGHER_IS_BETTER[k] else lo) for k, (lo, hi) in checked.items()}
    good = {k: (lo if not _HIGHER_IS_BETTER[k] else hi) for k, (lo, hi) in checked.items()}
    return {"pessimistic": bad, "base": {}, "optimistic": good}


def scenario_table(customers: pd.DataFrame, campaign: Campaign, scenarios: Mapping[str, Mapping[str, Any]],
                   offer: Offer | None = None, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """One campaign under several named scenarios.

    Parameters
    ----------
    customers : pandas.DataFrame
    campaign : Campaign
    scenarios : mapping
        ``{scenario name: {parameter: value}}``; parameters not given keep the base value (see
        :func:`override`); e.g. the output of :func:`scenarios_from_ranges`.
    offer, assumptions : optional
        The base; default the campaign's own.

    Returns
    -------
    pandas.DataFrame
        Index ``scenario`` (in the given order); the parameter values (:data:`PARAMETERS`, with the costs
        named ``offer_contact_cost`` and ``offer_fixed_cost``) and then the summary (:data:`SUMMARY_KEYS`,
        where ``contact_cost`` and ``fixed_cost`` are campaign totals).
    """
    offer, assumptions = _resolve(campaign, offer, assumptions)
    if not scenarios:
        raise ValueError("scenarios is empty: give {name: {parameter: value}}, e.g. scenarios_from_ranges().")
    pool = _Pool.of(select_targets(customers, campaign))
    rows = {}
    for name, changes in scenarios.items():
        values = _values(*override(offer, assumptions, changes))
        rows[name] = {**_parameter_columns(values), **_summary(pool, values)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def tornado(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None, base: Assumptions | None,
            ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One-at-a-time sensitivity of net profit: each parameter at the ends of its range, the others at base.

    Parameters
    ----------
    customers : pandas.DataFrame
    campaign : Campaign
    offer : Offer or None
        Base offer (None: the campaign's).
    base : Assumptions or None
        Base assumptions (None: the campaign's).
    ranges : mapping
        ``{parameter: (low, high)}`` with parameters from :data:`PARAMETERS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter``, ``base``, ``low``, ``high``, ``net_profit_low``, ``net_profit_high``,
        ``swing`` (``|high - low|`` net profit) and ``base_net_profit``, sorted by swing descending (ties by
        parameter name).
    """
    offer, base = _resolve(campaign, offer, base)
    values = _values(offer, base)
    checked = _check_ranges(ranges)
    pool = _Pool.of(select_targets(customers, campaign))
    base_net = _summary(pool, values)["net_profit"]
    rows = []
    for name, (low, high) in checked.items():
        net_low = float(_economics(pool, {**values, name: low})["net_profit"])
        net_high = float(_economics(pool, {**values, name: high})["net_profit"])
        rows.append({"parameter": name, "base": values[name], "low": low, "high": high, "net_profit_low": net_low,
                     "net_profit_high": net_high, "swing": abs(net_high - net_low), "base_net_profit": base_net})
    table = pd.DataFrame(rows)
    return table.sort_values(["swing", "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _axis(values: ArrayLike, name: str) -> FloatArray:
    """A non-empty 1-D array of valid values of one parameter."""
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty list of values, got {values!r}.")
    for x in array:
        _check_parameter(name, x)
    return array


def _tidy(axes: Mapping[str, FloatArray], econ: Mapping[str, FloatArray], columns: Sequence[str]) -> pd.DataFrame:
    """Flatten broadcast sweep results into one row per combination of the axes."""
    grids = np.meshgrid(*axes.values(), indexing="ij")
    table = {name: g.ravel() for name, g in zip(axes, grids, strict=True)}
    shape = grids[0].shape
    table.update({c: np.broadcast_to(econ[c], shape).ravel() for c in columns})
    return pd.DataFrame(table)


def grid(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None, base: Assumptions | None,
         discounts: ArrayLike, uplifts: ArrayLike) -> pd.DataFrame:
    """Net profit and ROI of a campaign over discount x uplift, for a heat map.

    Parameters
    ----------
    customers : pandas.DataFrame
    campaign : Campaign
    offer, base : Offer / Assumptions or None
        Everything except discount and uplift (None: the campaign's).
    discounts, uplifts : array-like
        Values in 0..1.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (discount, uplift), discount outer; columns ``discount``, ``uplift``,
        ``net_profit``, ``roi``, ``total_cost``, ``saved_revenue``.
    """
    offer, base = _resolve(campaign, offer, base)
    axes = {"discount": _axis(discounts, "discount"), "uplift": _axis(uplifts, "uplift")}
    values = {**_values(offer, base), "discount": axes["discount"][:, None], "uplift": axes["uplift"][None, :]}
    econ = _economics(_Pool.of(select_targets(customers, campaign)), values)
    return _tidy(axes, econ, ["net_profit", "roi", "total_cost", "saved_revenue"])


def what_if_grid(customers: pd.DataFrame, offer: Offer, base: Assumptions, discounts: ArrayLike,
                 top_ns: ArrayLike, uplifts: ArrayLike) -> pd.DataFrame:
    """Net profit and ROI for every discount x top-N x uplift, precomputed for interactive sliders.

    The customers are ranked once by expected loss (``churn_probability * expected_value`` descending, ties
    by CustomerID) and the pool sums are cumulative sums along that ranking, so each N costs one lookup.

    Parameters
    ----------
    customers : pandas.DataFrame
        The candidate pool.
    offer : Offer
        Contact and fixed cost (its discount is replaced by ``discounts``).
    base : Assumptions
        Everything except uplift.
    discounts, uplifts : array-like
        Values in 0..1.
    top_ns : array-like of int
        Campaign sizes; an N above the number of customers targets everyone (see ``targeted``).

    Returns
    -------
    pandas.DataFrame
        Tidy, discount outer, then top_n, then uplift; columns ``discount``, ``top_n``, ``uplift``,
        ``targeted``, ``net_profit``, ``roi``, ``total_cost``, ``saved_revenue``. Equal to
        :func:`campaign_summary` of ``Campaign(top_n=N)`` with that discount and uplift.
    """
    values = _values(offer, base)
    frame = _prepare(customers)
    ns = np.array([_whole(n, "top_n", 0) for n in np.atleast_1d(np.asarray(top_ns))], dtype=int)
    if ns.size == 0:
        raise ValueError("top_ns must be a non-empty list of whole numbers.")
    axes = {"discount": _axis(discounts, "discount"), "top_n": ns.astype(float), "uplift": _axis(uplifts, "uplift")}
    p, v = _pv(frame)
    order = _ranking(frame.index, p * v)
    p, v = p[order], v[order]
    taken = np.minimum(ns, len(p))

    def cumulative(x: FloatArray) -> FloatArray:
        return np.concatenate([[0.0], np.cumsum(x)])[taken][None, :, None]

    pool = _Pool(n=taken.astype(float)[None, :, None], sp=cumulative(p), pv=cumulative(p * v),
                 qv=cumulative((1.0 - p) * v))
    values.update(discount=axes["discount"][:, None, None], uplift=axes["uplift"][None, None, :])
    table = _tidy(axes, _economics(pool, values), ["targeted", "net_profit", "roi", "total_cost", "saved_revenue"])
    return table.astype({"top_n": int, "targeted": int})


def monte_carlo(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None,
                ranges: Mapping[str, tuple[float, float]], n_draws: int = 5000, seed: int = 0, *,
                assumptions: Assumptions | None = None,
                distribution: Literal["uniform", "triangular"] = "uniform") -> pd.DataFrame:
    """Net profit of a campaign under uncertain parameters, one row per draw.

    Each parameter in ``ranges`` is drawn independently from a ``numpy.random.default_rng(seed)``
    generator, in the order of ``ranges``: uniformly on ``[low, high]``, or with
    ``distribution="triangular"`` from a triangular distribution on ``[low, high]`` whose mode is the base
    value (which must then lie in the range). The other parameters stay at base. Net profit is linear in
    the target sums, so all draws are computed at once.

    Parameters
    ----------
    customers : pandas.DataFrame
    campaign : Campaign
    offer : Offer or None
        Base offer (None: the campaign's).
    ranges : mapping
        ``{parameter: (low, high)}`` with parameters from :data:`PARAMETERS`.
    n_draws : int, default 5000
    seed : int, default 0
    assumptions : Assumptions, optional
        Base assumptions (default: the campaign's).
    distribution : {"uniform", "triangular"}, default "uniform"

    Returns
    -------
    pandas.DataFrame
        Index ``draw``; one column per drawn parameter, then ``net_profit``, ``total_cost`` and ``roi``.
    """
    offer, assumptions = _resolve(campaign, offer, assumptions)
    values = _values(offer, assumptions)
    checked = _check_ranges(ranges)
    n_draws = _whole(n_draws, "n_draws", 1)
    if distribution not in ("uniform", "triangular"):
        raise ValueError(f"distribution must be 'uniform' or 'triangular', got {distribution!r}.")
    rng = np.random.default_rng(seed)
    draws: dict[str, FloatArray] = {}
    for name, (low, high) in checked.items():
        if distribution == "uniform":
            draws[name] = rng.uniform(low, high, n_draws)
            continue
        mode = values[name]
        if not low <= mode <= high:
            raise ValueError(f"Triangular draws use the base value as mode, but the base {name}={mode} is "
                             f"outside its range ({low}, {high}).")
        draws[name] = np.full(n_draws, low) if low == high else rng.triangular(low, mode, high, n_draws)
    econ = _economics(_Pool.of(select_targets(customers, campaign)), {**values, **draws})
    table = pd.DataFrame(draws, index=pd.RangeIndex(n_draws, name="draw"))
    for column in ("net_profit", "total_cost", "roi"):
        table[column] = np.broadcast_to(econ[column], (n_draws,))
    return table


def probability_of_loss(draws: pd.DataFrame | pd.Series | ArrayLike) -> float:
    """Share of Monte Carlo draws with a negative net profit.

    Parameters
    ----------
    draws : pandas.DataFrame, pandas.Series or array-like
        Output of :func:`monte_carlo` (its ``net_profit`` column is used) or net profits.

    Returns
    -------
    float
        ``mean(net_profit < 0)``.
    """
    if isinstance(draws, pd.DataFrame):
        if "net_profit" not in draws.columns:
            raise ValueError("draws has no 'net_profit' column: pass the output of monte_carlo().")
        draws = draws["net_profit"]
    net = np.asarray(draws, dtype=float).ravel()
    if net.size == 0 or np.isnan(net).any():
        raise ValueError("draws must hold at least one net profit and no missing values.")
    return float(np.mean(net < 0.0))


# ---------------------------------------------------------------------------------------------------------
# Campaign definitions as data
# ---------------------------------------------------------------------------------------------------------

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


def campaign_from_dict(data: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> Campaign:
    """A :class:`Campaign` from a flat dict, e.g. one entry of a params file (shape in the module docstring).

    Parameters
    ----------
    data : mapping
        Keys from :data:`CAMPAIGN_KEYS`; ``name`` is required. A value of None means "not given".
    defaults : mapping, optional
        Keys used when ``data`` does not give them (e.g. a shared margin).

    Returns
    -------
    Campaign

    Raises
    ------
    ValueError
        For unknown keys (with suggestions), a missing name, an incomplete offer or assumptions, or any
        invalid value.
    """
    for where, mapping in (("campaign", data), ("defaults", defaults or {})):
        if not isinstance(mapping, Mapping):
            raise ValueError(f"A {where} definition must be a mapping of keys to values, got {mapping!r}.")
        unknown = [k for k in mapping if k not in CAMPAIGN_KEYS]
        if unknown:
            label = f"campaign {mapping.get('name', '?')!r}" if where == "campaign" else "defaults"
            raise ValueError(f"The {label} has " + _unknown_message("key(s)", unknown, CAMPAIGN_KEYS))
    merged = {k: v for k, v in {**(defaults or {}), **data}.items() if v is not None}
    if "name" not in merged:
        raise ValueError(f"A campaign definition needs a 'name', got keys {', '.join(map(str, data))}.")
    name = merged["name"]
    offer = _build(Offer, OFFER_FIELDS, merged, ("discount",), name)
    assumptions = _build(Assumptions, ASSUMPTION_FIELDS, merged, ASSUMPTION_FIELDS[:3], name)
    targets = {k: merged[k] for k in TARGET_FIELDS if k in merged}
    return Campaign(name=name, description=merged.get("description", ""), offer=offer, assumptions=assumptions,
                    **targets)


def campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    """The flat dict of a campaign (inverse of :func:`campaign_from_dict`; unset rules are left out)."""
    data: dict[str, Any] = {"name": campaign.name, "description": campaign.description}
    for key in TARGET_FIELDS:
        value = getattr(campaign, key)
        if value is not None:
            data[key] = list(value) if isinstance(value, tuple) else value
    if campaign.offer is not None:
        data.update(asdict(campaign.offer))
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


def standard_campaigns(params: Mapping[str, Any] | None = None) -> list[Campaign]:
    """The four standard campaigns: win-back, protect, nurture and high-value at risk.

    Parameters
    ----------
    params : mapping, optional
        ``{"defaults": {...}, "win_back": {...}, "protect": {...}, "nurture": {...},
        "high_value_at_risk": {...}}``, every part optional, each a (partial) campaign dict. Precedence, low
        to high: :data:`STANDARD_ECONOMICS`, :data:`STANDARD_CAMPAIGNS`, ``params["defaults"]``, the
        campaign's own entry. A None value removes a key, e.g. ``{"high_value_at_risk":
        {"monetary_quantile": None, "top_n": 200}}`` targets the 200 largest expected losses instead.

    Returns
    -------
    list of Campaign
        In the order win-back, protect, nurture, high-value at risk.
    """
    params = dict(params or {})
    unknown = [k for k in params if k not in ("defaults", *STANDARD_CAMPAIGNS)]
    if unknown:
        raise ValueError("standard_campaigns params has " + _unknown_message(
            "key(s)", unknown, ("defaults", *STANDARD_CAMPAIGNS)))
    shared = params.get("defaults") or {}
    campaigns = []
    for key, builtin in STANDARD_CAMPAIGNS.items():
        data = {**STANDARD_ECONOMICS, **builtin, **shared, **(params.get(key) or {})}
        campaigns.append(campaign_from_dict(data))
    return campaigns


# ---------------------------------------------------------------------------------------------------------
# Tables for the report
# ---------------------------------------------------------------------------------------------------------

def roi_table(customers: pd.DataFrame, campaigns: Iterable[Campaign], default_offer: Offer | None = None,
              default_assumptions: Assumptions | None = None) -> pd.DataFrame:
    """One row per campaign with its expected economics.

    Parameters
    ----------
    customers : pandas.DataFrame
    campaigns : iterable of Campaign
        Names must be unique.
    default_offer, default_assumptions : optional
        Used by campaigns that have no offer / assumptions of their own (a campaign's own always wins).

    Returns
    -------
    pandas.DataFrame
        Index ``campaign``; columns ``description``, ``target``, the parameters (as in
        :func:`scenario_table`) and the summary (:data:`SUMMARY_KEYS`: targeted, total_cost, saved_revenue,
        net_profit, roi, break_even_uplift, ...).
    """
    rows = {}
    for campaign in campaigns:
        offer = campaign.offer if campaign.offer is not None else default_offer
        assumptions = campaign.assumptions if campaign.assumptions is not None else default_assumptions
        offer, assumptions = _resolve(campaign, offer, assumptions)
        if campaign.name in rows:
            raise ValueError(f"Campaign names must be unique; repeated: {campaign.name!r}.")
        values = _values(offer, assumptions)
        rows[campaign.name] = {"description": campaign.description, "target": campaign.target_text(),
                               **_parameter_columns(values),
                               **campaign_summary(customers, campaign, offer, assumptions)}
    if not rows:
        raise ValueError("campaigns is empty: give at least one Campaign.")
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("campaign")


def _segment_order(names: Iterable[str]) -> list[str]:
    """Standard segments in :data:`SEGMENT_ORDER`, then other names alphabetically."""
    names = set(names)
    return [s for s in SEGMENT_ORDER if s in names] + sorted(names - set(SEGMENT_ORDER))


def segment_economics(customers: pd.DataFrame, offer: Offer, assumptions: Assumptions) -> pd.DataFrame:
    """The economics of offering ``offer`` to every customer of each segment, one standalone campaign per segment.

    Each row is the campaign "everyone in this segment", so it carries the full fixed cost; rows therefore do
    not add up to one campaign over several segments (that pays the fixed cost once).

    Parameters
    ----------
    customers : pandas.DataFrame
        With ``churn_probability``, ``expected_value`` and ``Segment``.
    offer : Offer
    assumptions : Assumptions

    Returns
    -------
    pandas.DataFrame
        Index ``Segment`` (standard order, then others alphabetically); columns ``customers`` and the rest
        of :data:`SUMMARY_KEYS` (revenue_at_risk, total_cost, net_profit, roi, break_even_uplift, ...).
    """
    values = _values(offer, assumptions)
    frame = _prepare(customers, [SEGMENT])
    p, v = _pv(frame)
    sums = pd.DataFrame({"segment": frame[SEGMENT].astype(str).to_numpy(), "n": 1.0, "sp": p, "pv": p * v,
                         "qv": (1.0 - p) * v}).groupby("segment", sort=False).sum()
    sums = sums.reindex(_segment_order(sums.index))
    pool = _Pool(n=sums["n"].to_numpy(), sp=sums["sp"].to_numpy(), pv=sums["pv"].to_numpy(),
                 qv=sums["qv"].to_numpy())
    econ = _economics(pool, values)
    table = pd.DataFrame({k: econ[k] for k in SUMMARY_KEYS}, index=pd.Index(sums.index, name=SEGMENT))
    table["targeted"] = table["targeted"].astype(int)
    return table.rename(columns={"targeted": "customers"})
