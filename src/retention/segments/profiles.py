"""Segment profiles and action lists: size, revenue and typical behaviour per segment; whom to call first.

Medians here are always taken across the customers of a segment or group (never a median of segment
medians), so groups of different sizes weigh by their customers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from retention.segments.migration import _check_segments, _segment_rank
from retention.segments.rfm import AT_RISK_SEGMENTS

__all__ = ["repeat_buyers", "days_between_orders", "segment_profile", "group_summary", "high_value_at_risk"]

_PROFILE_NEEDS = ["Recency", "Frequency", "Monetary", "Tenure", "PurchaseVelocity", "FirstPurchase", "LastPurchase"]


def repeat_buyers(features: pd.DataFrame) -> pd.Series:
    """True for customers who ordered on two or more different days (FirstPurchase before LastPurchase).

    Only they have a measured gap between orders; a customer with several invoices on one day has not
    come back yet.
    """
    return (features["LastPurchase"] > features["FirstPurchase"]).rename("RepeatBuyer")


def days_between_orders(features: pd.DataFrame) -> pd.Series:
    """Mean days between a customer's order days, for repeat buyers only; missing for everyone else.

    The feature ``PurchaseVelocity`` (:data:`retention.features.FEATURE_DESCRIPTIONS`) gives customers with
    a single order day ``max(Tenure, 1)``, a lower bound on their next gap that models can use; it is not a
    gap anyone measured, so a "median days between orders" over such customers would report their tenure.
    Reports use this series instead (:func:`repeat_buyers`).
    """
    gaps = features["PurchaseVelocity"].astype(float).where(repeat_buyers(features))
    return gaps.rename("DaysBetweenOrders")


def _check_profile_input(features: pd.DataFrame, segments: pd.Series) -> None:
    _check_segments(segments, "segments")
    missing = [c for c in _PROFILE_NEEDS if c not in features.columns]
    if missing:
        raise ValueError(f"features is missing column(s) {missing} needed for the profile.")
    unknown = segments.index.difference(features.index)
    if len(unknown):
        raise ValueError(f"{len(unknown)} customer(s) in segments are not in features, "
                         f"e.g. {list(unknown[:5])}.")


def segment_profile(features: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    """Size, revenue and typical behaviour of each segment, ordered from best to worst.

    Parameters
    ----------
    features : pandas.DataFrame
        Customer features with Recency, Frequency, Monetary, Tenure, PurchaseVelocity, FirstPurchase and
        LastPurchase (as from the engine's ``customer_features``).
    segments : pandas.Series
        Segment (or any group name) per customer; every customer must be in ``features`` (customers of
        ``features`` not in ``segments`` are left out). A Series with one name for everyone profiles all
        customers as one group.

    Returns
    -------
    pandas.DataFrame
        Index "Segment" (present segments in :data:`SEGMENT_ORDER`, other names after, alphabetically);
        columns Customers, CustomerShare, Revenue (sum of Monetary), RevenueShare, MedianRecency,
        MedianFrequency, MedianMonetary, MedianTenure, RepeatShare (share of repeat buyers,
        :func:`repeat_buyers`), MedianDaysBetweenOrders (over the repeat buyers only, missing when a segment
        has none: see :func:`days_between_orders`), AvgMonetary. Shares are fractions of the profiled
        customers' totals; medians are across the segment's customers.
    """
    _check_profile_input(features, segments)
    data = features.loc[segments.index, ["Recency", "Frequency", "Monetary", "Tenure"]].assign(
        Segment=segments.astype("str").to_numpy(),
        RepeatBuyer=repeat_buyers(features.loc[segments.index]).to_numpy(),
        DaysBetweenOrders=days_between_orders(features.loc[segments.index]).to_numpy())
    grouped = data.groupby("Segment", sort=False)
    profile = pd.DataFrame({"Customers": grouped.size().astype(np.int64),
                            "Revenue": grouped["Monetary"].sum()})
    profile["CustomerShare"] = profile["Customers"] / profile["Customers"].sum()
    total = profile["Revenue"].sum()
    profile["RevenueShare"] = profile["Revenue"] / total if total > 0 else 0.0
    profile = profile.join(grouped[["Recency", "Frequency", "Monetary", "Tenure"]].median().add_prefix("Median"))
    profile["RepeatShare"] = grouped["RepeatBuyer"].mean().astype(float)
    profile["MedianDaysBetweenOrders"] = grouped["DaysBetweenOrders"].median()
    profile["AvgMonetary"] = grouped["Monetary"].mean()
    ranked = _segment_rank(pd.Series(profile.index, index=profile.index))
    profile = profile.loc[sorted(profile.index, key=lambda s: ranked[s])]
    profile.index.name = "Segment"
    columns = ["Customers", "CustomerShare", "Revenue", "RevenueShare", "MedianRecency", "MedianFrequency",
               "MedianMonetary", "MedianTenure", "RepeatShare", "MedianDaysBetweenOrders", "AvgMonetary"]
    return profile[columns]


def group_summary(features: pd.DataFrame, segments: pd.Series, groups: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """The profile of named groups of segments (e.g. the at-risk segments together), across their customers.

    ``groups`` maps a group name to its segments; a group may name segments no customer is in (it then has
    0 customers and missing medians), and groups may overlap. Shares are of all customers in ``segments``.
    Columns as :func:`segment_profile`, in the order of ``groups``; medians across the group's customers.
    """
    _check_profile_input(features, segments)
    names = segments.astype("str")
    everyone = segment_profile(features, pd.Series("all", index=segments.index))
    rows = []
    for group, members in groups.items():
        inside = names.index[names.isin(list(members)).to_numpy()]
        if len(inside):
            row = segment_profile(features, pd.Series(group, index=inside)).iloc[0].copy()
        else:
            row = pd.Series(np.nan, index=everyone.columns)
            row[["Customers", "Revenue"]] = 0
        row["CustomerShare"] = row["Customers"] / everyone["Customers"].iloc[0]
        total = everyone["Revenue"].iloc[0]
        row["RevenueShare"] = row["Revenue"] / total if total > 0 else 0.0
        rows.append(row.rename(group))
    table = pd.DataFrame(rows, columns=everyone.columns)
    table["Customers"] = table["Customers"].astype(np.int64)
    table.index.name = "Group"
    return table


def _plural(count: pd.Series, word: str) -> pd.Series:
    return count.map(lambda n: f"{n:,} {word}" + ("" if n == 1 else "s"))


def high_value_at_risk(features: pd.DataFrame, scores: pd.DataFrame, segments: pd.Series, *,
                       min_m_score: int = 4, at_risk: Iterable[str] = AT_RISK_SEGMENTS,
                       currency_symbol: str = "£") -> pd.DataFrame:
    """The customers a CRM team should call first: high spend (M score >= ``min_m_score``) in an at-risk segment.

    Each row says why the customer is on the list, in words with their own numbers ("At Risk: spent £1,012
    over 3 orders, but no order for 192 days"; "1 order", "1 day" in the singular), and the list is ordered
    by Monetary (largest first; ties by CustomerID so the order never depends on input order).
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
                    + _plural(table["Frequency"], "order") + ", but no order for "
                    + _plural(table["Recency"], "day")).astype("str")
    table = table.rename_axis("CustomerID").reset_index()
    return table.sort_values(["Monetary", "CustomerID"], ascending=[False, True], kind="stable").reset_index(drop=True)
