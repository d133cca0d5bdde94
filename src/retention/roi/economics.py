"""The money maths of a retention offer, per customer and per campaign (no targeting, no drawing).

Notation, per targeted customer: ``p`` churn probability, ``R`` expected revenue over the decision horizon
if the customer stays (``expected_revenue_if_alive``), ``B`` the revenue a redeemer's discount is a
fraction of (the offer cost model, :class:`~retention.roi.offers.Offer`). Offer: ``d`` discount, ``c``
contact cost, ``F`` fixed cost. Assumptions: ``u`` uplift (share of would-be churners the offer saves),
``r`` redemption by customers who would have stayed anyway, ``m`` gross margin, ``s`` redemption by saved
customers.

How a customer responds (optional columns of the customer table)
-----------------------------------------------------------------
``w`` (``response_weight``)
    Extra buyers the offer makes of this customer per unit of ``u``: the offer changes their chance of buying
    by ``u w`` (a negative ``w`` is a customer the offer puts off). Default ``p``: the offer saves the share
    ``u`` of would-be churners.
``V`` (``response_value``)
    Revenue one extra buyer brings. Default ``R``: a saved customer is worth everything they bring over the
    decision horizon.
``q`` (``buy_anyway``)
    Chance the customer buys while the offer is valid without it (and may redeem it). Default ``1 - p``.

The defaults are the classic "share of would-be churners saved" model; :mod:`retention.decisions.response`
fills the columns from a measured test (a per-customer predicted uplift, one order per extra buyer).

Per customer (:func:`customer_economics`)
-----------------------------------------
``value_at_stake = m R``; ``expected_loss = p m R``.
``saved_customers = u w``; ``saved_revenue = u w V``; ``incremental_margin = m u w V``
    Only the buyers the offer makes count; revenue of customers who would have bought anyway never does.
``discount_cost_saved = u w s d B``
    Extra buyers come through the offer and pay ``d`` less on the discounted revenue.
``discount_cost_wasted = q r d B``
    Customers who would have bought anyway and redeem: pure cost.
``net_profit = incremental_margin - discount_cost_saved - discount_cost_wasted - c``
    The customer's expected incremental profit.

Campaign totals (:func:`totals`)
--------------------------------
Sums over the targets, minus ``F`` once when anyone is targeted. ``roi = net_profit / total_cost`` (NaN when
nothing is spent). Net profit is linear in the uplift, ``net = u A - C`` with
``A = sum w (m V - s d B)`` and ``C = sum q r d B + n c + F``, so the break-even uplift is ``C / A``:
``inf`` when ``A <= 0 < C`` (no uplift pays), NaN when both are ``<= 0`` (nothing at stake). The totals depend
on the customers only through the sums of :class:`Pool`, so sweeps combine those sums with arrays of
parameters and never loop over customers or draws.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from retention.roi._checks import FloatArray, examples
from retention.roi.columns import BUY_ANYWAY, ID, PROBA, RESPONSE_VALUE, RESPONSE_WEIGHT, REVENUE
from retention.roi.offers import Assumptions, Offer, parameter_values

__all__ = ["SUMMARY_KEYS", "prepare_customers", "customer_economics", "response_arrays", "Pool", "totals",
           "summary", "ratio", "break_even"]

SUMMARY_KEYS: tuple[str, ...] = (
    "targeted", "expected_churners", "value_at_stake", "expected_loss", "saved_customers", "saved_revenue",
    "incremental_margin", "discount_cost", "discount_cost_saved", "discount_cost_wasted", "contact_cost",
    "fixed_cost", "total_cost", "net_profit", "roi", "break_even_uplift",
)
"""Keys of a campaign summary, in order."""


def _check_probabilities(frame: pd.DataFrame) -> None:
    p = pd.to_numeric(frame[PROBA], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~((p >= 0.0) & (p <= 1.0))
    if bad.any():
        raise ValueError(f"{PROBA} must be between 0 and 1 for every customer; {int(bad.sum())} are not "
                         f"(missing or out of range): {examples(frame.index[bad])}.")


def _check_amounts(frame: pd.DataFrame, column: str) -> None:
    v = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~(np.isfinite(v) & (v >= 0.0))
    if bad.any():
        raise ValueError(f"{column} must be a finite amount of zero or more for every customer; {int(bad.sum())} "
                         f"are not: {examples(frame.index[bad])}.")


def prepare_customers(customers: pd.DataFrame, extra: Iterable[str] = (), amounts: Iterable[str] = ()) -> pd.DataFrame:
    """Check a customer table and return it indexed by ``CustomerID``.

    Needs ``churn_probability`` and ``expected_revenue_if_alive`` plus the ``amounts`` columns (checked like the
    revenue: finite, zero or more) and the ``extra`` columns (only checked to exist). Raises a
    ValueError naming missing columns (and how to get them), duplicate IDs, probabilities outside 0..1 and
    amounts that are missing, infinite or negative.
    """
    if not isinstance(customers, pd.DataFrame):
        raise TypeError(f"customers must be a pandas DataFrame, got {type(customers).__name__}.")
    frame = (customers.set_index(ID) if ID in customers.columns else customers).rename_axis(ID)
    money = list(dict.fromkeys([REVENUE, *amounts]))
    needed = list(dict.fromkeys([PROBA, *money, *extra]))
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"customers is missing column(s) {', '.join(map(repr, missing))}; needed here: "
                         f"{', '.join(needed)}; present: {', '.join(map(str, frame.columns))}. Build the table "
                         f"with retention.decisions.decision_frame (offer windows via its offer_months).")
    duplicated = frame.index[frame.index.duplicated()].unique()
    if len(duplicated):
        raise ValueError(f"customers has {len(duplicated)} duplicate CustomerID(s): {examples(duplicated)}; "
                         f"there must be one row per customer.")
    _check_probabilities(frame)
    for column in money:
        _check_amounts(frame, column)
    return frame


def _arrays(frame: pd.DataFrame, offer: Offer) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``p``, ``R`` and the offer's cost base ``B`` of a prepared frame as float arrays."""
    p = pd.to_numeric(frame[PROBA]).to_numpy(dtype=float)
    revenue = pd.to_numeric(frame[REVENUE]).to_numpy(dtype=float)
    base = pd.to_numeric(frame[offer.cost_base_column]).to_numpy(dtype=float)
    return p, revenue, base


def _optional(frame: pd.DataFrame, column: str, default: FloatArray) -> FloatArray:
    if column not in frame.columns:
        return default
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"{column} must be a finite number for every customer; {int(bad.sum())} are not: "
                         f"{examples(frame.index[bad])}.")
    return values


def response_arrays(frame: pd.DataFrame) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``w``, ``V`` and ``q`` of a prepared frame (the response columns, or their defaults ``p``, ``R``,
    ``1 - p``; see the module docstring)."""
    p = pd.to_numeric(frame[PROBA]).to_numpy(dtype=float)
    revenue = pd.to_numeric(frame[REVENUE]).to_numpy(dtype=float)
    weight = _optional(frame, RESPONSE_WEIGHT, p)
    value = _optional(frame, RESPONSE_VALUE, revenue)
    anyway = _optional(frame, BUY_ANYWAY, 1.0 - p)
    if (value < 0).any() or ((anyway < 0) | (anyway > 1)).any():
        raise ValueError(f"{RESPONSE_VALUE} must be zero or more and {BUY_ANYWAY} between 0 and 1.")
    return weight, value, anyway


def customer_economics(targets: pd.DataFrame, offer: Offer, assumptions: Assumptions) -> pd.DataFrame:
    """Expected incremental economics of making ``offer`` to each customer (formulas in the module docstring).

    Parameters
    ----------
    targets : pandas.DataFrame
        Customers with ``churn_probability``, ``expected_revenue_if_alive`` and the offer's cost base column.
    offer : Offer
    assumptions : Assumptions

    Returns
    -------
    pandas.DataFrame
        Index CustomerID in the order of ``targets``; columns ``p_churn``, ``value_at_stake``,
        ``expected_loss``, ``saved_customers`` (extra buyers), ``saved_revenue``, ``incremental_margin``,
        ``discount_cost_saved``,
        ``discount_cost_wasted``, ``contact_cost`` and ``net_profit`` (the expected incremental profit; the
        fixed cost is a campaign cost and is not in these rows).
    """
    values = parameter_values(offer, assumptions)
    frame = prepare_customers(targets, amounts=[offer.cost_base_column])
    p, revenue, base = _arrays(frame, offer)
    weight, value, anyway = response_arrays(frame)
    d, u, m = values["discount"], values["uplift"], values["margin"]
    table = pd.DataFrame({
        "p_churn": p,
        "value_at_stake": m * revenue,
        "expected_loss": p * m * revenue,
        "saved_customers": u * weight,
        "saved_revenue": u * weight * value,
        "incremental_margin": m * u * weight * value,
        "discount_cost_saved": u * weight * values["saved_redemption"] * d * base,
        "discount_cost_wasted": anyway * values["redemption_rate"] * d * base,
        "contact_cost": np.full(len(frame), values["contact_cost"]),
    }, index=frame.index)
    table["net_profit"] = (table["incremental_margin"] - table["discount_cost_saved"]
                           - table["discount_cost_wasted"] - table["contact_cost"])
    return table


@dataclass(frozen=True)
class Pool:
    """The only customer sums campaign totals depend on (scalars, or arrays that broadcast).

    ``n`` customers, ``sp = sum p``, ``sr = sum R``, ``spr = sum p R`` (the expected loss over the margin),
    ``sw = sum w`` (extra buyers per unit uplift), ``swv = sum w V``, ``swb = sum w B`` and ``sqb = sum q B``.
    """

    n: Any
    sp: Any
    sr: Any
    spr: Any
    sw: Any
    swv: Any
    swb: Any
    sqb: Any

    FIELDS = ("n", "sp", "sr", "spr", "sw", "swv", "swb", "sqb")

    @classmethod
    def of(cls, frame: pd.DataFrame, offer: Offer) -> Pool:
        """Sums over a prepared customer frame, with ``B`` from the offer's cost model."""
        p, revenue, base = _arrays(frame, offer)
        weight, value, anyway = response_arrays(frame)
        return cls(n=float(len(p)), sp=float(p.sum()), sr=float(revenue.sum()), spr=float((p * revenue).sum()),
                   sw=float(weight.sum()), swv=float((weight * value).sum()), swb=float((weight * base).sum()),
                   sqb=float((anyway * base).sum()))


def ratio(numerator: ArrayLike, denominator: ArrayLike) -> FloatArray:
    """``numerator / denominator`` where the denominator is positive, NaN elsewhere."""
    num, den = np.broadcast_arrays(np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float))
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def break_even(a: ArrayLike, c: ArrayLike) -> FloatArray:
    """Root of ``u * a - c``: ``c / a`` when ``a > 0``; inf when ``a <= 0 < c``; NaN when both are ``<= 0``."""
    a, c = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(c, dtype=float))
    root = np.divide(c, a, out=np.full(a.shape, np.inf), where=a > 0)
    return np.where((a <= 0) & (c <= 0), np.nan, root)


def totals(pool: Pool, values: Mapping[str, Any]) -> dict[str, FloatArray]:
    """Campaign totals (keys :data:`SUMMARY_KEYS`); everything broadcasts, so arrays give whole sweeps at once."""
    u, r, m, s = (np.asarray(values[k], dtype=float) for k in ("uplift", "redemption_rate", "margin",
                                                                "saved_redemption"))
    d, c, f = (np.asarray(values[k], dtype=float) for k in ("discount", "contact_cost", "fixed_cost"))
    n = np.asarray(pool.n, dtype=float)
    spr = np.asarray(pool.spr, dtype=float)
    swb = np.asarray(pool.swb, dtype=float)
    saved = u * np.asarray(pool.swv, dtype=float)
    discount_saved = u * s * d * swb
    discount_wasted = r * d * np.asarray(pool.sqb, dtype=float)
    contact = c * n
    fixed = f * (n > 0)
    total_cost = discount_saved + discount_wasted + contact + fixed
    net = m * saved - total_cost
    out = {
        "targeted": n, "expected_churners": np.asarray(pool.sp, dtype=float),
        "value_at_stake": m * np.asarray(pool.sr, dtype=float), "expected_loss": m * spr,
        "saved_customers": u * np.asarray(pool.sw, dtype=float), "saved_revenue": saved,
        "incremental_margin": m * saved, "discount_cost": discount_saved + discount_wasted,
        "discount_cost_saved": discount_saved, "discount_cost_wasted": discount_wasted, "contact_cost": contact,
        "fixed_cost": fixed, "total_cost": total_cost, "net_profit": net, "roi": ratio(net, total_cost),
        "break_even_uplift": break_even(m * np.asarray(pool.swv, dtype=float) - s * d * swb,
                                        discount_wasted + contact + fixed),
    }
    shape = np.broadcast_shapes(*(a.shape for a in out.values()))
    return {k: np.broadcast_to(a, shape) for k, a in out.items()}


def summary(pool: Pool, values: Mapping[str, Any]) -> dict[str, float]:
    """Scalar campaign totals as plain Python numbers (``targeted`` as int)."""
    econ = totals(pool, values)
    result: dict[str, float] = {k: float(econ[k]) for k in SUMMARY_KEYS}
    result["targeted"] = int(pool.n)
    return result
