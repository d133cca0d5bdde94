"""Segment migration: who moved from which segment to which between two cutoffs, and who went quiet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from retention.segments.rfm import GROUP_ORDER, SEGMENT_ORDER, segment_group

__all__ = ["NEW_SEGMENT", "LAPSED_SEGMENT", "lapsed_customers", "segment_migration", "migration_by_group",
           "migration_summary"]

NEW_SEGMENT = "New (no history)"
"""``from_segment`` of customers without purchases at the earlier cutoff in :func:`segment_migration`."""

LAPSED_SEGMENT = "No purchase since"
"""``to_segment`` of customers without purchases since the earlier cutoff in :func:`segment_migration`."""


def _check_segments(segments: pd.Series, name: str) -> None:
    """Raise ValueError unless ``segments`` is a Series with unique index and no missing names."""
    if not isinstance(segments, pd.Series):
        raise ValueError(f"{name} must be a pandas Series of segment names indexed by CustomerID.")
    if not segments.index.is_unique:
        raise ValueError(f"{name} has duplicate customers in its index.")
    if segments.isna().any():
        raise ValueError(f"{name} has {int(segments.isna().sum())} customer(s) without a segment.")


def _segment_rank(names: pd.Series) -> pd.Series:
    """Sort key: New first, then SEGMENT_ORDER, then other names alphabetically, lapsed last."""
    known = {NEW_SEGMENT: -1, **{s: i for i, s in enumerate(SEGMENT_ORDER)},
             LAPSED_SEGMENT: len(SEGMENT_ORDER) + 1}
    return names.map(lambda s: (known.get(s, len(SEGMENT_ORDER)), s))


def lapsed_customers(features_before: pd.DataFrame, features_after: pd.DataFrame) -> pd.Index:
    """Customers with no purchase after the earlier cutoff, detected from two feature tables.

    A customer has lapsed when their LastPurchase at the later cutoff is no later than at the earlier
    cutoff (both tables from :meth:`retention.engine.Session.customer_features`, without ``window_days``).

    Parameters
    ----------
    features_before, features_after : pandas.DataFrame
        Features at the earlier and at the later cutoff, indexed by CustomerID.

    Returns
    -------
    pandas.Index
        The lapsed customers (present in both tables), sorted.
    """
    for name, frame in (("features_before", features_before), ("features_after", features_after)):
        if "LastPurchase" not in frame.columns:
            raise ValueError(f"{name} needs a LastPurchase column (from customer_features).")
    both = features_before.index.intersection(features_after.index)
    before = features_before.loc[both, "LastPurchase"]
    after = features_after.loc[both, "LastPurchase"]
    return both[(after <= before).to_numpy()].sort_values()


def segment_migration(segments_before: pd.Series, segments_after: pd.Series, *,
                      lapsed: Iterable[Any] | None = None) -> pd.DataFrame:
    """Count customers by (segment at the earlier cutoff, segment at the later cutoff).

    The table covers exactly the customers present at the later cutoff, so ``customers`` sums to
    ``len(segments_after)``. Customers absent at the earlier cutoff come from :data:`NEW_SEGMENT`
    ("New (no history)"). Because features are computed as of each cutoff, everyone seen earlier is
    still present later; customers listed in ``lapsed`` (present earlier, no purchase since - see
    :func:`lapsed_customers`) go to :data:`LAPSED_SEGMENT` ("No purchase since") instead of the segment
    their ageing scores would give them, so the flow shows who went quiet. Without ``lapsed``, every
    customer goes to their later segment.

    Parameters
    ----------
    segments_before, segments_after : pandas.Series
        Segment per customer (index: CustomerID) at the earlier and the later cutoff.
    lapsed : iterable of CustomerID, optional
        Customers without a purchase since the earlier cutoff; each must be in both Series.

    Returns
    -------
    pandas.DataFrame
        Columns from_segment, to_segment, customers (int); only non-zero pairs, ordered from best to
        worst (New first as a source, No purchase since last as a target).
    """
    _check_segments(segments_before, "segments_before")
    _check_segments(segments_after, "segments_after")
    source = segments_before.astype("str").reindex(segments_after.index).fillna(NEW_SEGMENT)
    target = segments_after.astype("str")
    if lapsed is not None:
        lapsed_index = pd.Index(list(lapsed))
        stray = lapsed_index.difference(segments_before.index.intersection(segments_after.index))
        if len(stray):
            raise ValueError(f"{len(stray)} lapsed customer(s) are not present at both cutoffs, "
                             f"e.g. {list(stray[:5])}.")
        target = target.where(~target.index.isin(lapsed_index), LAPSED_SEGMENT)
    table = (pd.DataFrame({"from_segment": source.to_numpy(), "to_segment": target.to_numpy()})
             .value_counts().rename("customers").reset_index())
    table["customers"] = table["customers"].astype(np.int64)
    keys = pd.DataFrame({"a": _segment_rank(table["from_segment"]), "b": _segment_rank(table["to_segment"])})
    order = sorted(range(len(table)), key=lambda i: (keys["a"].iat[i], keys["b"].iat[i]))
    table = table.iloc[order].reset_index(drop=True)
    return table.astype({"from_segment": "str", "to_segment": "str"})


def migration_by_group(migration: pd.DataFrame) -> pd.DataFrame:
    """:func:`segment_migration` with the segments folded into their broad groups (:data:`SEGMENT_GROUPS`).

    New (no history) and No purchase since stay as they are. Returns from_group, to_group, customers (only
    non-zero pairs), ordered from best to worst like the segments (New first, No purchase since last).
    """
    keep = {NEW_SEGMENT, LAPSED_SEGMENT}
    fold = {"from_segment": "from_group", "to_segment": "to_group"}
    table = migration.assign(**{new: migration[old].where(migration[old].isin(keep), segment_group(migration[old]))
                                for old, new in fold.items()})
    table = table.groupby(["from_group", "to_group"], sort=False)["customers"].sum().reset_index()
    rank = {NEW_SEGMENT: -1, **{g: i for i, g in enumerate(GROUP_ORDER)}, LAPSED_SEGMENT: len(GROUP_ORDER) + 1}
    key = table["from_group"].map(lambda g: (rank.get(g, len(GROUP_ORDER)), g)).tolist()
    key2 = table["to_group"].map(lambda g: (rank.get(g, len(GROUP_ORDER)), g)).tolist()
    order = sorted(range(len(table)), key=lambda i: (key[i], key2[i]))
    table = table.iloc[order].reset_index(drop=True)
    table["customers"] = table["customers"].astype(np.int64)
    return table.astype({"from_group": "str", "to_group": "str"})


def migration_summary(migration: pd.DataFrame) -> pd.DataFrame:
    """Per segment at the earlier cutoff: how many customers it held, how many bought again since, and where
    most of those who bought are now.

    Returns a table indexed by from_segment (the segments present at the earlier cutoff, best first; the
    customers who were new since are left out) with columns customers, bought_again, bought_again_share,
    no_purchase_since, top_destination (the segment now of most of those who bought again, ties in segment
    order; missing when nobody did) and top_destination_share (of those who bought again).
    """
    seen = migration[migration["from_segment"] != NEW_SEGMENT]
    rows = []
    for source, part in seen.groupby("from_segment", sort=False):
        bought = part[part["to_segment"] != LAPSED_SEGMENT]
        customers, again = int(part["customers"].sum()), int(bought["customers"].sum())
        top, top_share = None, np.nan
        if again:
            ranked = bought.assign(rank=_segment_rank(bought["to_segment"]).tolist())
            ranked = ranked.sort_values("customers", ascending=False, kind="stable")
            best = ranked[ranked["customers"] == ranked["customers"].iloc[0]].sort_values("rank").iloc[0]
            top, top_share = str(best["to_segment"]), best["customers"] / again
        rows.append({"from_segment": source, "customers": customers, "bought_again": again,
                     "bought_again_share": again / customers, "no_purchase_since": customers - again,
                     "top_destination": top, "top_destination_share": top_share})
    columns = ["customers", "bought_again", "bought_again_share", "no_purchase_since", "top_destination",
               "top_destination_share"]
    table = pd.DataFrame(rows, columns=["from_segment", *columns]).set_index("from_segment")
    ranked = _segment_rank(pd.Series(table.index, index=table.index))
    table = table.loc[sorted(table.index, key=lambda s: ranked[s])]
    return table.astype({"customers": np.int64, "bought_again": np.int64, "no_purchase_since": np.int64,
                         "top_destination": "str"})
