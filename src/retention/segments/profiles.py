"""Segment profiles and action lists: size, revenue and typical behaviour per segment; whom to call first."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from retention.segments.migration import _check_segments, _segment_rank
from retention.segments.rfm import AT_RISK_SEGMENTS

__all__ = ["segment_profile", "high_value_at_risk"]


def segment_profile(features: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    """Size, revenue and typical behaviour of each segment, ordered from best to worst.

    Parameters
    ----------
    features : pandas.DataFrame
        Customer features with Recency, Frequency, Monetary, Tenure and PurchaseVelocity.
    segments : pandas.Series
        Segment per customer; every customer must be in ``features`` (customers of ``features`` not in
        ``segments`` are left out).

    Returns
    -------
    pandas.DataFrame
        Index "Segment" (present segments in :data:`SEGMENT_ORDER`, other names after, alphabetically);
        columns Customers, CustomerShare, Revenue (sum of Monetary), RevenueShare, MedianRecency,
        MedianFrequency, MedianMonetary, MedianTenure, MedianPurchaseVelocity, AvgMonetary. Shares are
        fractions of the profiled customers' totals.
    """
    _check_segments(segments, "segments")
    needed = ["Recency", "Frequency", "Monetary", "Tenure", "PurchaseVelocity"]
    missing = [c for c in needed if c not in features.columns]
    if missing:
        raise ValueError(f"features is missing column(s) {missing} needed for the profile.")
    unknown = segments.index.difference(features.index)
    if len(unknown):
        raise ValueError(f"{len(unknown)} customer(s) in segments are not in features, "
                         f"e.g. {list(unknown[:5])}.")
    data = features.loc[segments.index, needed].assign(Segment=segments.astype("str").to_numpy())
    grouped = data.groupby("Segment", sort=False)
    profile = pd.DataFrame({"Customers": grouped.size().astype(np.int64),
                            "Revenue": grouped["Monetary"].sum()})
    profile["CustomerShare"] = profile["Customers"] / profile["Customers"].sum()
    total = profile["Revenue"].sum()
    profile["RevenueShare"] = profile["Revenue"] / total if total > 0 else 0.0
    medians = grouped[needed].median().add_prefix("Median")
    profile = profile.join(medians)
    profile["AvgMonetary"] = grouped["Monetary"].mean()
    ranked = _segment_rank(pd.Series(profile.index, index=profile.index))
    profile = profile.loc[sorted(profile.index, key=lambda s: ranked[s])]
    profile.index.name = "Segment"
    columns = ["Customers", "CustomerShare", "Revenue", "RevenueShare", "MedianRecency", "MedianFrequency",
               "MedianMonetary", "MedianTenure", "MedianPurchaseVelocity", "AvgMonetary"]
    return profile[columns]



def high_value_at_risk(features: pd.DataFrame, scores: pd.DataFrame, segments: pd.Series, *,
                       min_m_score: int = 4, at_risk: Iterable[str] = AT_RISK_SEGMENTS,
                       currency_symbol: str = "£") -> pd.DataFrame:
    """The customers a CRM team should call first: high spend (M score >= ``min_m_score``) in an at-risk segment.

    Each row says why the customer is on the list, in words with their own numbers, and the list is
    ordered by Monetary (largest first; ties by CustomerID so the order never depends on input order).
    """
    at_risk = set(at_risk)
    chosen = segments.index[(segments.astype("str").isin(at_risk) & (scores["M"] >= min_m_score)).to_numpy()]
    f = features.loc[chosen]
    table = pd.DataFrame({
        "Segment": segments.loc[chosen].astype("str"),
        "Recency": f["Recency"], "Frequency": f["Frequency"], "Monetary": f["Monetary"].round(2),
        "LastPurchase": f["LastPurchase"].dt.date, "RFM": scores.loc[chosen, "RFM"],
    })
    table["Why"] = (table["Segment"] + ": spent " + currency_symbol
                    + table["Monetary"].map(lambda v: f"{v:,.0f}").astype(str) + " over "
                    + table["Frequency"].astype(str)
                    + " orders, but no order for " + table["Recency"].astype(str) + " days")
    table = table.rename_axis("CustomerID").reset_index()
    return table.sort_values(["Monetary", "CustomerID"], ascending=[False, True], kind="stable").reset_index(drop=True)
