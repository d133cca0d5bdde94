"""Checking decisions against the truth (issue 13, item 6), for generated data whose future is known.

The per-customer true incremental profit comes from the generator (contract C3,
``retention.generator.truth.true_incremental_profit``); these functions take it as a plain Series, so the
decisions package does not depend on the generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from retention.decisions.options import Option, target_list
from retention.decisions.vocabulary import AT_RISK, IN_BASE
from retention.roi import Offer
from retention.roi._checks import examples

__all__ = ["list_against_truth", "nonbuyer_shares", "options_against_truth"]


def list_against_truth(recommended: Iterable[object], true_profit: pd.Series, *, seed: int = 0,
                       pool: Iterable[object] | None = None) -> dict[str, float]:
    """True incremental profit of a target list next to the best list of the same size and a random one.

    Parameters
    ----------
    recommended : iterable of CustomerID
        The recommended list.
    true_profit : pandas.Series
        True incremental profit per customer (index CustomerID), e.g. from the generator's truth (C3). The
        campaign's fixed cost is not in it: every list compared has the same size, so it would cancel.
    seed : int, default 0
        Seed of the random list.
    pool : iterable of CustomerID, optional
        Customers the oracle and the random list may choose from (default: every customer of ``true_profit``).

    Returns
    -------
    dict
        ``n``; ``recommended``, ``oracle`` (the ``n`` largest true profits in the pool), ``random`` (one seeded
        random list of ``n`` from the pool) and ``random_expected`` (``n`` x the pool's mean true profit).
    """
    ids = pd.Index(list(recommended))
    if ids.has_duplicates:
        raise ValueError(f"the recommended list repeats {examples(ids[ids.duplicated()].unique())}.")
    missing = ids.difference(true_profit.index)
    if len(missing):
        raise ValueError(f"true_profit has no value for {len(missing)} recommended customer(s): {examples(missing)}.")
    candidates = true_profit if pool is None else true_profit.reindex(pd.Index(list(pool))).dropna()
    n = len(ids)
    if n > len(candidates):
        raise ValueError(f"the list has {n} customers but the pool only {len(candidates)}.")
    values = np.sort(candidates.to_numpy(dtype=float))[::-1]
    chosen = np.random.default_rng(seed).choice(len(candidates), size=n, replace=False)
    return {"n": n, "recommended": float(true_profit.loc[ids].sum()), "oracle": float(values[:n].sum()),
            "random": float(candidates.to_numpy(dtype=float)[chosen].sum()),
            "random_expected": float(n * candidates.mean()) if len(candidates) else 0.0}


def nonbuyer_shares(frame: pd.DataFrame, truth: pd.DataFrame, column: str = "purchases_next_90d") -> dict[str, float]:
    """Share of true non-buyers (``truth[column] == 0``) among the at-risk customers, the base and the lapsed.

    Does the at-risk definition catch real churners? It should give a much higher share among the at-risk
    than among the whole base.
    """
    if column not in truth.columns:
        raise ValueError(f"truth has no column {column!r}; present: {', '.join(map(str, truth.columns))}.")
    missing = frame.index.difference(truth.index)
    if len(missing):
        raise ValueError(f"truth has no row for {len(missing)} customer(s): {examples(missing)}.")
    nonbuyer = truth.loc[frame.index, column].to_numpy() == 0
    groups = {"at_risk": frame[AT_RISK].to_numpy(bool), "base": frame[IN_BASE].to_numpy(bool),
              "lapsed": ~frame[IN_BASE].to_numpy(bool)}
    out: dict[str, float] = {}
    for name, mask in groups.items():
        out[f"{name}_customers"] = int(mask.sum())
        out[f"{name}_nonbuyer_share"] = float(nonbuyer[mask].mean()) if mask.any() else float("nan")
    return out


def options_against_truth(frame: pd.DataFrame, options: Sequence[Option], true_profit: Callable[[Offer], pd.Series],
                          *, model: str = "") -> pd.DataFrame:
    """Expected next to true net profit of every option's list.

    Parameters
    ----------
    frame : pandas.DataFrame
        The decision frame the options were evaluated on.
    options : sequence of Option
    true_profit : callable
        ``true_profit(offer)`` -> true incremental profit per customer (index CustomerID) of making ``offer``
        (e.g. the generator's :func:`retention.generator.truth.true_incremental_profit_by_customer`).
    model : str
        A label for the rows (e.g. "measured uplift").

    Returns
    -------
    pandas.DataFrame
        One row per option: ``model``, ``option``, ``targets``, ``expected_net_profit``, ``true_net_profit``
        (the list's true incremental profit minus the fixed cost once) and ``gap`` (expected minus true).
    """
    rows = []
    cache: dict[Offer, pd.Series] = {}
    for option in options:
        ids = target_list(frame, option).index
        if option.offer not in cache:
            cache[option.offer] = true_profit(option.offer)
        true_net = float(cache[option.offer].reindex(ids).sum()) - (option.offer.fixed_cost if len(ids) else 0.0)
        rows.append({"model": model, "option": option.name, "targets": option.targets,
                     "expected_net_profit": option.net_profit, "true_net_profit": true_net,
                     "gap": option.net_profit - true_net})
    return pd.DataFrame(rows)
