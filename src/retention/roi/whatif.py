"""What if we give X% to N customers of pool P? Precomputed grids for an offline report.

The grid answers the question literally: for every target pool x number of customers N x discount x offer
type it gives the expected net profit, ROI, break-even uplift and P(loss). Pools (all within the customer base
when the table has ``in_base``):

* ``highest_churn`` -- the N customers with the highest churn probability;
* ``highest_expected_loss`` -- the N with the highest expected loss (churn probability x value at stake);
* ``profit_maximising`` -- the N with the highest expected incremental profit under that very offer;
* ``segment:<name>`` -- the N customers of one segment with the highest churn probability.

P(loss) draws the uncertain parameters (every range except the discount, which the grid sets) once, with one
seed, and uses the same draws in every cell (common random numbers: differences between cells are not noise).
Everything is cumulative sums along each pool's ranking, so a cell costs a lookup, not a pass over customers.
Size: ``pools x len(top_ns) x len(discounts) x len(offer_types)`` rows of 11 columns. On the default data (13
pools: 3 + 10 segments present in the base; 9 sizes, 6 discounts, 2 offer types) that is 1,404 rows: about
125 kB as columnar JSON rounded to cents / 0.1 points without the ``cost_model`` text (which repeats what
``offer_type`` and ``discount`` say; ~450 kB as row records with it), small enough to embed in an offline page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from retention.roi._checks import FloatArray, unknown_message, whole
from retention.roi.columns import IN_BASE, PROBA, RESPONSE_VALUE, REVENUE, SEGMENT
from retention.roi.economics import Pool, customer_economics, prepare_customers, response_arrays, totals
from retention.roi.offers import OFFER_TYPES, Assumptions, Offer, parameter_values
from retention.roi.sensitivity import (
    UNCERTAIN_PARAMETERS,
    align_value_draws,
    axis,
    draw_parameters,
    explicit_draws,
)
from retention.roi.targeting import ranking_order

__all__ = ["WHAT_IF_POOLS", "WHAT_IF_COLUMNS", "pool_label", "what_if_grid", "what_if_cell"]

WHAT_IF_POOLS: tuple[str, ...] = ("highest_churn", "highest_expected_loss", "profit_maximising")
"""The pools every grid has; ``segment:<name>`` pools are added per segment."""

WHAT_IF_COLUMNS: tuple[str, ...] = ("pool", "top_n", "discount", "offer_type", "targeted", "net_profit", "roi",
                                    "total_cost", "break_even_uplift", "p_loss", "cost_model")

_LABELS = {"highest_churn": "Highest churn probability", "highest_expected_loss": "Highest expected loss",
           "profit_maximising": "Profit-maximising list"}


def pool_label(key: str) -> str:
    """A pool key in words, e.g. ``"Segment: At Risk"``."""
    return f"Segment: {key.split(':', 1)[1]}" if key.startswith("segment:") else _LABELS[key]


def _orders(frame: pd.DataFrame, segments: bool) -> dict[str, NDArray[np.intp]]:
    """Positions of each offer-independent pool in its ranking order."""
    p = frame[PROBA].to_numpy(dtype=float)
    orders = {"highest_churn": ranking_order(frame.index, p),
              "highest_expected_loss": ranking_order(frame.index, p * frame[REVENUE].to_numpy(dtype=float))}
    if segments and SEGMENT in frame.columns:
        labels = frame[SEGMENT].astype(str).to_numpy()
        for name in sorted(set(labels)):
            order = orders["highest_churn"]
            orders[f"segment:{name}"] = order[labels[order] == name]
    return orders


def _cumulative(x: FloatArray, order: NDArray[np.intp], taken: NDArray[np.intp]) -> FloatArray:
    return np.concatenate([[0.0], np.cumsum(x[order])])[taken]


def _pool(arrays: Mapping[str, FloatArray], order: NDArray[np.intp], ns: NDArray[np.intp]) -> Pool:
    """Pool sums of the first N of ``order`` for every N (capped at the pool size)."""
    taken = np.minimum(ns, len(order))
    p, revenue, base = arrays["p"], arrays["revenue"], arrays["base"]
    weight, value, anyway = arrays["weight"], arrays["value"], arrays["anyway"]
    return Pool(n=taken.astype(float), sp=_cumulative(p, order, taken), sr=_cumulative(revenue, order, taken),
                spr=_cumulative(p * revenue, order, taken), sw=_cumulative(weight, order, taken),
                swv=_cumulative(weight * value, order, taken), swb=_cumulative(weight * base, order, taken),
                sqb=_cumulative(anyway * base, order, taken))


def _draw_columns(arrays: Mapping[str, FloatArray], linked: bool,
                  matrix: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per customer and value draw: ``R``, ``p R`` and ``w V`` (see :func:`retention.roi.value_draw_sums`)."""
    if linked:
        moved = matrix
    else:
        revenue = arrays["revenue"][:, None]
        moved = arrays["value"][:, None] * np.divide(matrix, revenue, out=np.ones_like(matrix), where=revenue > 0)
    return matrix, arrays["p"][:, None] * matrix, arrays["weight"][:, None] * moved


def _value_sums(columns: tuple[FloatArray, FloatArray, FloatArray], order: NDArray[np.intp],
                ns: NDArray[np.intp]) -> tuple[FloatArray, ...]:
    """``sum R``, ``sum p R`` and ``sum w V`` over the first N of ``order`` per value draw: (len(ns), draws)."""
    taken = np.minimum(ns, len(order))
    head = order[:taken.max(initial=0)]
    zero = np.zeros((1, columns[0].shape[1]))
    return tuple(np.concatenate([zero, np.cumsum(c[head], axis=0)])[taken] for c in columns)


def _cells(pool: Pool, values: Mapping[str, object], draws: Mapping[str, FloatArray],
           value_sums: tuple[FloatArray, ...] | None,
           pick: NDArray[np.intp] | None) -> dict[str, FloatArray]:
    """Economics at base and P(loss) over the draws for every N of one pool (NaN when nothing is drawn)."""
    econ = {k: v for k, v in totals(pool, values).items()
            if k in ("targeted", "net_profit", "roi", "total_cost", "break_even_uplift")}
    if not draws and value_sums is None:
        return {**econ, "p_loss": np.full(len(pool.n), np.nan)}
    column = {k: np.asarray(getattr(pool, k), dtype=float)[:, None] for k in Pool.FIELDS}
    if value_sums is not None and pick is not None:
        column["sr"], column["spr"], column["swv"] = (v[:, pick] for v in value_sums)
    drawn = totals(Pool(**column), {**values, **{k: v[None, :] for k, v in draws.items()}})["net_profit"]
    return {**econ, "p_loss": (drawn < 0.0).mean(axis=1)}


def what_if_grid(customers: pd.DataFrame, offer: Offer, assumptions: Assumptions, *, discounts: ArrayLike,
                 top_ns: ArrayLike, offer_types: Sequence[str] = OFFER_TYPES, offer_months: int = 3,
                 ranges: Mapping[str, Sequence[float]] | None = None, n_draws: int = 1000, seed: int = 0,
                 segments: bool = True, value_draws: pd.DataFrame | np.ndarray | None = None,
                 parameter_draws: Mapping[str, ArrayLike] | None = None) -> pd.DataFrame:
    """Net profit, ROI, break-even uplift and P(loss) for every pool x N x discount x offer type.

    Parameters
    ----------
    customers : pandas.DataFrame
        The decision frame (``churn_probability``, ``expected_revenue_if_alive``, ``expected_order_value``, the
        ``offer_months`` window column when ``"all_orders"`` is asked, optional ``in_base`` and ``Segment``).
    offer : Offer
        Contact and fixed cost (discount and offer type come from the axes).
    assumptions : Assumptions
        Uplift, redemption, margin at base.
    discounts : array-like
        Discounts in 0..1.
    top_ns : array-like of int
        Campaign sizes; an N above a pool's size targets the whole pool (see ``targeted``).
    offer_types : sequence of str, default both
    offer_months : int, default 3
        Duration of the ``"all_orders"`` offer.
    ranges : mapping, optional
        Assumption ranges for P(loss) (the discount range is ignored). None: ``p_loss`` is NaN.
    n_draws, seed : int
    segments : bool, default True
        Add one pool per segment.
    value_draws : DataFrame or array, optional
        Customer x draw values of ``expected_revenue_if_alive`` (C1) for P(loss).
    parameter_draws : mapping, optional
        Explicit draws of some parameters (``n_draws`` values each, e.g. the uplift from a measured interval),
        used instead of their ranges.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WHAT_IF_COLUMNS`; rows pool (fixed pools, then segments) x offer type x discount x N.
    """
    unknown = [t for t in offer_types if t not in OFFER_TYPES]
    if unknown:
        raise ValueError(unknown_message("offer type(s)", unknown, OFFER_TYPES))
    offers = {t: replace(offer, offer_type=t, offer_months=offer_months if t == "all_orders" else None)
              for t in offer_types}
    frame = prepare_customers(customers, amounts=sorted({o.cost_base_column for o in offers.values()}))
    if IN_BASE in frame.columns:
        frame = frame[frame[IN_BASE].astype(bool).to_numpy()]
    ns = np.array([whole(n, "top_n", 0) for n in np.atleast_1d(np.asarray(top_ns))], dtype=np.intp)
    discount_axis = axis(discounts, "discount")
    n_draws = whole(n_draws, "n_draws", 1)
    rng = np.random.default_rng(seed)
    given = explicit_draws(parameter_draws, n_draws)
    uncertain = {k: v for k, v in (ranges or {}).items() if k in UNCERTAIN_PARAMETERS and k not in given}
    draws = draw_parameters(parameter_values(offer, assumptions), uncertain, n_draws, rng) if uncertain else {}
    draws = {**draws, **given}
    weight, value, anyway = response_arrays(frame)
    shared = {"p": frame[PROBA].to_numpy(dtype=float), "revenue": frame[REVENUE].to_numpy(dtype=float),
              "weight": weight, "value": value, "anyway": anyway}
    columns = pick = None
    if value_draws is not None:
        matrix = align_value_draws(frame, value_draws).to_numpy(dtype=float)
        pick = rng.integers(0, matrix.shape[1], n_draws)
        columns = _draw_columns(shared, RESPONSE_VALUE not in frame.columns, matrix)
    orders = _orders(frame, segments)
    pool_keys = ["highest_churn", "highest_expected_loss", "profit_maximising",
                 *[k for k in orders if k.startswith("segment:")]]
    parts = []
    for pool_key in pool_keys:
        for offer_type, typed in offers.items():
            arrays = {**shared, "base": frame[typed.cost_base_column].to_numpy(dtype=float)}
            for d in discount_axis:
                cell_offer = replace(typed, discount=float(d))
                order = orders.get(pool_key)
                if order is None:  # the profit-maximising ranking depends on the offer itself
                    profit = customer_economics(frame, cell_offer, assumptions)["net_profit"].to_numpy()
                    order = ranking_order(frame.index, profit)
                sums = None if columns is None else _value_sums(columns, order, ns)
                result = _cells(_pool(arrays, order, ns), parameter_values(cell_offer, assumptions), draws, sums,
                                pick)
                parts.append(pd.DataFrame({"pool": pool_key, "top_n": ns, "discount": float(d),
                                           "offer_type": offer_type, **result,
                                           "cost_model": cell_offer.cost_model()}))
    table = pd.concat(parts, ignore_index=True)[list(WHAT_IF_COLUMNS)]
    return table.astype({"top_n": int, "targeted": int})


def what_if_cell(grid_table: pd.DataFrame, pool: str, top_n: int, discount: float,
                 offer_type: str = "next_order") -> pd.Series:
    """One row of a :func:`what_if_grid` (discount matched to 1e-9), or a ValueError naming what exists."""
    rows = grid_table[(grid_table["pool"] == pool) & (grid_table["top_n"] == top_n)
                      & np.isclose(grid_table["discount"], discount, atol=1e-9)
                      & (grid_table["offer_type"] == offer_type)]
    if rows.empty:
        raise ValueError(f"the grid has no cell pool={pool!r}, top_n={top_n}, discount={discount}, "
                         f"offer_type={offer_type!r}; pools: {sorted(set(grid_table['pool']))}, sizes: "
                         f"{sorted(set(grid_table['top_n']))}.")
    return rows.iloc[0]
