"""How sure are we: scenarios, one-at-a-time tornado, discount x uplift grid and Monte Carlo.

Every tool reuses the campaign's :class:`~retention.roi.economics.Pool` sums and broadcasts arrays of
parameters, so nothing loops over customers or draws. The Monte Carlo also accepts draws of each customer's
value (C1: parameter-uncertainty draws of ``expected_revenue_if_alive``, customers x draws): each simulated
scenario then uses one value draw as well, so P(loss) covers the uncertainty of the customer values too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from retention.roi._checks import FloatArray, unknown_message, whole
from retention.roi.campaign import Campaign, resolve
from retention.roi.columns import PROBA, RESPONSE_VALUE, REVENUE
from retention.roi.economics import Pool, response_arrays, summary, totals
from retention.roi.evaluate import parameter_columns, select_targets
from retention.roi.offers import PARAMETERS, Assumptions, Offer, check_parameter, override, parameter_values

__all__ = ["UNCERTAIN_PARAMETERS", "check_ranges", "scenarios_from_ranges", "scenario_table", "tornado", "grid",
           "draw_parameters", "explicit_draws", "align_value_draws", "value_draw_sums", "monte_carlo",
           "probability_of_loss"]

UNCERTAIN_PARAMETERS: tuple[str, ...] = tuple(p for p in PARAMETERS if p != "discount")
"""Parameters that are uncertain rather than chosen: everything but the discount."""

# Which end of a range is the good one (net profit is monotone in each parameter when the offer can pay).
_HIGHER_IS_BETTER: dict[str, bool] = {
    "uplift": True, "margin": True, "redemption_rate": False, "saved_redemption": False,
    "discount": False, "contact_cost": False, "fixed_cost": False,
}

def check_ranges(ranges: Mapping[str, Sequence[float]]) -> dict[str, tuple[float, float]]:
    """Validated ``{parameter: (low, high)}``; each end must be a valid value and low <= high."""
    if not ranges:
        raise ValueError(f"ranges is empty: give {{parameter: (low, high)}} for some of {', '.join(PARAMETERS)}.")
    unknown = [k for k in ranges if k not in PARAMETERS]
    if unknown:
        raise ValueError("ranges has " + unknown_message("parameter(s)", unknown, PARAMETERS))
    checked = {}
    for name, pair in ranges.items():
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"ranges[{name!r}] must be a pair (low, high), got {pair!r}.")
        low, high = (check_parameter(name, x) for x in pair)
        if low > high:
            raise ValueError(f"ranges[{name!r}] must be (low, high) with low <= high, got {pair!r}.")
        checked[name] = (low, high)
    return checked

def scenarios_from_ranges(ranges: Mapping[str, Sequence[float]]) -> dict[str, dict[str, float]]:
    """``{"pessimistic": {...}, "base": {}, "optimistic": {...}}``: every parameter at the bad / good end of its
    range (low uplift and margin; high redemption, discount and costs)."""
    checked = check_ranges(ranges)
    bad = {k: (hi if not _HIGHER_IS_BETTER[k] else lo) for k, (lo, hi) in checked.items()}
    good = {k: (lo if not _HIGHER_IS_BETTER[k] else hi) for k, (lo, hi) in checked.items()}
    return {"pessimistic": bad, "base": {}, "optimistic": good}

def _campaign_pool(customers: pd.DataFrame, campaign: Campaign, offer: Offer, assumptions: Assumptions) -> Pool:
    return Pool.of(select_targets(customers, campaign, offer, assumptions), offer)

def scenario_table(customers: pd.DataFrame, campaign: Campaign, scenarios: Mapping[str, Mapping[str, Any]],
                   offer: Offer | None = None, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """One campaign (its targets fixed at base) under named scenarios ``{name: {parameter: value}}``.

    Index ``scenario``; the parameters (costs as ``offer_contact_cost``/``offer_fixed_cost``), then the summary.
    """
    offer, assumptions = resolve(campaign, offer, assumptions)
    if not scenarios:
        raise ValueError("scenarios is empty: give {name: {parameter: value}}, e.g. scenarios_from_ranges().")
    pool = _campaign_pool(customers, campaign, offer, assumptions)
    rows = {}
    for name, changes in scenarios.items():
        changed = override(offer, assumptions, dict(changes))
        rows[name] = {**parameter_columns(*changed), **summary(pool, parameter_values(*changed))}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")

def tornado(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None, base: Assumptions | None,
            ranges: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """One-at-a-time sensitivity of net profit: each parameter at the ends of its range, the others at base.

    Columns ``parameter``, ``base``, ``low``, ``high``, ``net_profit_low``, ``net_profit_high``, ``swing`` and
    ``base_net_profit``, sorted by swing descending (ties by name).
    """
    offer, base = resolve(campaign, offer, base)
    values = parameter_values(offer, base)
    pool = _campaign_pool(customers, campaign, offer, base)
    base_net = summary(pool, values)["net_profit"]
    rows = []
    for name, (low, high) in check_ranges(ranges).items():
        net_low = float(totals(pool, {**values, name: low})["net_profit"])
        net_high = float(totals(pool, {**values, name: high})["net_profit"])
        rows.append({"parameter": name, "base": values[name], "low": low, "high": high, "net_profit_low": net_low,
                     "net_profit_high": net_high, "swing": abs(net_high - net_low), "base_net_profit": base_net})
    table = pd.DataFrame(rows)
    return table.sort_values(["swing", "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)

def axis(values: ArrayLike, name: str) -> FloatArray:
    """A non-empty 1-D array of valid values of one parameter."""
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty list of values, got {values!r}.")
    for x in array:
        check_parameter(name, x)
    return array

def tidy(axes: Mapping[str, FloatArray], econ: Mapping[str, FloatArray], columns: Sequence[str]) -> pd.DataFrame:
    """Flatten broadcast sweep results into one row per combination of the axes."""
    grids = np.meshgrid(*axes.values(), indexing="ij")
    table = {name: g.ravel() for name, g in zip(axes, grids, strict=True)}
    table.update({c: np.broadcast_to(econ[c], grids[0].shape).ravel() for c in columns})
    return pd.DataFrame(table)

def grid(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None, base: Assumptions | None,
         discounts: ArrayLike, uplifts: ArrayLike) -> pd.DataFrame:
    """Net profit and ROI of a campaign (targets fixed at base) over discount x uplift, discount outer.

    Columns ``discount``, ``uplift``, ``net_profit``, ``roi``, ``total_cost``, ``saved_revenue``.
    """
    offer, base = resolve(campaign, offer, base)
    axes = {"discount": axis(discounts, "discount"), "uplift": axis(uplifts, "uplift")}
    values = {**parameter_values(offer, base), "discount": axes["discount"][:, None], "uplift": axes["uplift"][None, :]}
    econ = totals(_campaign_pool(customers, campaign, offer, base), values)
    return tidy(axes, econ, ["net_profit", "roi", "total_cost", "saved_revenue"])

def draw_parameters(values: Mapping[str, Any], ranges: Mapping[str, Sequence[float]], n_draws: int,
                    rng: np.random.Generator,
                    distribution: Literal["uniform", "triangular"] = "uniform") -> dict[str, FloatArray]:
    """Independent draws of each ranged parameter, in the order of ``ranges`` (uniform, or triangular with the
    base value of ``values`` as mode, which must then lie in the range)."""
    if distribution not in ("uniform", "triangular"):
        raise ValueError(f"distribution must be 'uniform' or 'triangular', got {distribution!r}.")
    draws: dict[str, FloatArray] = {}
    for name, (low, high) in check_ranges(ranges).items():
        if distribution == "uniform":
            draws[name] = rng.uniform(low, high, n_draws)
            continue
        mode = values[name]
        if not low <= mode <= high:
            raise ValueError(f"Triangular draws use the base value as mode, but the base {name}={mode} is "
                             f"outside its range ({low}, {high}).")
        draws[name] = np.full(n_draws, low) if low == high else rng.triangular(low, mode, high, n_draws)
    return draws

def align_value_draws(customers: pd.DataFrame, value_draws: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    """Value draws (customers x draws of ``expected_revenue_if_alive``) as a frame on the customers' index.

    A DataFrame is matched by CustomerID (every customer must have a row); an array must have one row per
    customer, in the table's order. Values must be finite and zero or more.
    """
    index = (customers.set_index("CustomerID") if "CustomerID" in customers.columns else customers).index
    if isinstance(value_draws, pd.DataFrame):
        missing = index.difference(value_draws.index)
        if len(missing):
            raise ValueError(f"value_draws has no row for {len(missing)} customer(s), e.g. {list(missing[:3])}.")
        frame = value_draws.loc[index]
    else:
        array = np.asarray(value_draws, dtype=float)
        if array.ndim != 2 or array.shape[0] != len(index) or array.shape[1] == 0:
            raise ValueError(f"value_draws must be customers x draws ({len(index)} rows), got shape {array.shape}.")
        frame = pd.DataFrame(array, index=index)
    if not np.isfinite(frame.to_numpy(dtype=float)).all() or (frame.to_numpy(dtype=float) < 0).any():
        raise ValueError("value_draws must hold finite amounts of zero or more.")
    return frame

def value_draw_sums(p: FloatArray, revenue: FloatArray, weight: FloatArray, value: FloatArray,
                    linked: bool, matrix: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``sum R``, ``sum p R`` and ``sum w V`` of some customers under each value draw (rows: customers).

    The draws replace ``R``; a response value that is ``R`` itself (``linked``) is replaced too, any other
    moves in proportion to the customer's draw (``V x draw / R``; unchanged where ``R`` is 0).
    """
    if linked:
        moved = matrix
    else:
        ratio = np.divide(matrix, revenue[:, None], out=np.ones_like(matrix), where=revenue[:, None] > 0)
        moved = value[:, None] * ratio
    return matrix.sum(axis=0), p @ matrix, weight @ moved


def _value_pools(targets: pd.DataFrame, draws: pd.DataFrame) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``sum R``, ``sum p R`` and ``sum w V`` of the targets under each value draw."""
    matrix = draws.loc[targets.index].to_numpy(dtype=float)
    weight, value, _ = response_arrays(targets)
    return value_draw_sums(targets[PROBA].to_numpy(dtype=float), targets[REVENUE].to_numpy(dtype=float), weight,
                           value, RESPONSE_VALUE not in targets.columns, matrix)


def monte_carlo(customers: pd.DataFrame, campaign: Campaign, offer: Offer | None,
                ranges: Mapping[str, Sequence[float]], n_draws: int = 5000, seed: int = 0, *,
                assumptions: Assumptions | None = None, distribution: Literal["uniform", "triangular"] = "uniform",
                value_draws: pd.DataFrame | np.ndarray | None = None,
                parameter_draws: Mapping[str, ArrayLike] | None = None) -> pd.DataFrame:
    """Net profit of a campaign under uncertain parameters (and customer values), one row per draw.

    Each parameter in ``ranges`` is drawn independently from ``numpy.random.default_rng(seed)`` in the order of
    ``ranges``; the others stay at base. ``parameter_draws`` gives some parameters' draws explicitly instead
    (``n_draws`` values each, e.g. the uplift drawn from a measured interval; their ranges are then ignored).
    With ``value_draws`` each draw also takes one of the value draws at random (same generator, after the
    parameters): the targets' ``expected_revenue_if_alive`` is replaced by it, and their response value moves
    with it (:func:`value_draw_sums`; the offer's cost base stays at its point estimate). The target list is
    the campaign's at base.

    Returns
    -------
    pandas.DataFrame
        Index ``draw``; one column per drawn parameter (and ``value_draw``), then ``net_profit``,
        ``total_cost`` and ``roi``.
    """
    offer, assumptions = resolve(campaign, offer, assumptions)
    values = parameter_values(offer, assumptions)
    n_draws = whole(n_draws, "n_draws", 1)
    rng = np.random.default_rng(seed)
    given = explicit_draws(parameter_draws, n_draws)
    ranged = {k: v for k, v in ranges.items() if k not in given}
    drawn = draw_parameters(values, ranged, n_draws, rng, distribution) if ranged or not given else {}
    draws = {**drawn, **given}
    targets = select_targets(customers, campaign, offer, assumptions)
    pool = Pool.of(targets, offer)
    table = pd.DataFrame(draws, index=pd.RangeIndex(n_draws, name="draw"))
    if value_draws is not None:
        aligned = align_value_draws(customers, value_draws)
        sr, spr, swv = _value_pools(targets, aligned)
        pick = rng.integers(0, aligned.shape[1], n_draws)
        pool = replace(pool, sr=sr[pick], spr=spr[pick], swv=swv[pick])
        table["value_draw"] = pick
    econ = totals(pool, {**values, **draws})
    for column in ("net_profit", "total_cost", "roi"):
        table[column] = np.broadcast_to(econ[column], (n_draws,))
    return table


def explicit_draws(parameter_draws: Mapping[str, ArrayLike] | None, n_draws: int) -> dict[str, FloatArray]:
    """Validated explicit draws: known parameters, ``n_draws`` finite values each."""
    out: dict[str, FloatArray] = {}
    for name, given in (parameter_draws or {}).items():
        if name not in PARAMETERS:
            raise ValueError("parameter_draws has " + unknown_message("parameter(s)", [name], PARAMETERS))
        array = np.asarray(given, dtype=float).ravel()
        if array.shape != (n_draws,) or not np.isfinite(array).all():
            raise ValueError(f"parameter_draws[{name!r}] must hold {n_draws} finite values, got shape {array.shape}.")
        out[name] = array
    return out


def probability_of_loss(draws: pd.DataFrame | pd.Series | ArrayLike) -> float:
    """Share of Monte Carlo draws with a negative net profit (breaking even is not a loss)."""
    if isinstance(draws, pd.DataFrame):
        if "net_profit" not in draws.columns:
            raise ValueError("draws has no 'net_profit' column: pass the output of monte_carlo().")
        draws = draws["net_profit"]
    net = np.asarray(draws, dtype=float).ravel()
    if net.size == 0 or np.isnan(net).any():
        raise ValueError("draws must hold at least one net profit and no missing values.")
    return float(np.mean(net < 0.0))

