"""Stage 02: who the customers are as of the end of the data: RFM segments, clusters, migration, action lists.

The features come from the engine (one query for the end and the migration's earlier cutoff); everything
after that is per customer. The stage writes ``segments.customers`` (read by the later stages), the full
customer list as CSV, the migration and the call-first list, and returns every table, number and sentence
the report shows, ready to draw: customer ids are already as people may see them (pseudonymous when a salt
is set), and a chart of customers gets a seeded sample of at most ``report.max_chart_points`` with the
sentence that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention import segments
from retention.report.figures import sample_points
from retention.report.formatting import currency_symbol, day, money, number, pct, plural
from retention.segments import ClusterResult
from retention.stages.context import Context

__all__ = ["SegmentsResult", "run", "segment_file_name", "EXPLORER_COLUMNS", "GROUP_NAMES"]

EXPLORER_COLUMNS = ("CustomerID", "Segment", "RFM", "Recency", "Frequency", "Monetary", "AvgOrderValue",
                    "DaysBetweenOrders", "Tenure", "Cluster", "Country")
"""The columns of the report's customer table (Country only when the data has one)."""

_CSV_COLUMNS = ("CustomerID", "Segment", "R", "F", "M", "RFM", "Cluster", "ClusterDescription", "Recency",
                "Frequency", "Monetary", "AvgOrderValue", "DaysBetweenOrders", "Tenure", "FirstPurchase",
                "LastPurchase", "Country")

_DECIMALS = 6  # float features are rounded to this many decimals (reproducible bytes)

GROUP_NAMES = {"all": "All customers", "best": "Champions", "at_risk": "Drifting away", "quiet": "Gone quiet"}
"""Keys and names of the rows of :attr:`SegmentsResult.groups`."""


@dataclass(frozen=True)
class SegmentsResult:
    """Everything the segmentation report shows."""

    info: dict[str, Any]
    currency: str
    as_of: pd.Timestamp
    customers: pd.DataFrame          # segments.customers: features + R, F, M, RFM, FM, Segment, Cluster, ...
    has_country: bool
    profile: pd.DataFrame            # one row per segment (segments.segment_profile) + Portrait, Action
    groups: pd.DataFrame             # all customers, Champions, drifting away, gone quiet (medians across customers)
    high_value_at_risk: pd.DataFrame  # the call-first list, ids as shown
    clusters: ClusterResult
    cluster_profile: pd.DataFrame    # per cluster: description, customers, share, medians of the clustered features
    crosstab: pd.DataFrame           # customers per segment (rows) and cluster (columns)
    earlier: pd.Timestamp | None     # the migration's earlier cutoff (None: the data starts after it)
    migration: pd.DataFrame | None
    migration_groups: pd.DataFrame | None
    migration_summary: pd.DataFrame | None
    flow_order: tuple[str, ...]      # the nodes of migration_groups from best to worst (New first, lapsed last)
    explorer: pd.DataFrame           # EXPLORER_COLUMNS per customer, ids as shown, highest net spend first
    points: pd.DataFrame             # the 3D chart's customers (a seeded sample when there are many)
    points_note: str                 # "" or the sentence saying the chart shows a sample
    files: dict[str, str]            # artifact file names: customers, migration, high_value_at_risk
    segment_files: dict[str, str]    # segment -> its list's file (segmentation.export_segments)
    headline: str                    # who the customers are, in plain words (the first screen)
    call_first_rule: str             # who is on the call-first list, in words
    rules: tuple[dict[str, Any], ...]  # the segment rules in force: segment, r [low, high], fm [low, high]
    truth_check: pd.DataFrame | None  # per segment: dropped out / no purchase in 90 days (generated data only)
    truth_summary: dict[str, float] | None
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)

    @property
    def segment_order(self) -> list[str]:
        present = set(self.customers["Segment"])
        return [s for s in self.profile.index if s in present]

    def group(self, key: str) -> pd.Series:
        """A row of :attr:`groups` by its key in :data:`GROUP_NAMES` (all, best, at_risk, quiet)."""
        return self.groups.loc[GROUP_NAMES[key]]


def segment_file_name(segment: str) -> str:
    """The CSV list of one exported segment, e.g. ``segment_cant_lose_them.csv``."""
    return "segment_" + segment.lower().replace(" ", "_").replace("'", "") + ".csv"


def _features(ctx: Context, end: pd.Timestamp,
              earlier: pd.Timestamp | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Features at the end (and at the earlier cutoff) from the engine, in one query."""
    cutoffs = [end] if earlier is None else [earlier, end]
    found = ctx.log.customer_features_at(cutoffs, peak_months=ctx.params.features.peak_months)
    # The engine adds money up in parallel, in no fixed order: the last bits of a float sum may differ between
    # runs (65419.93 or 65419.92999999999). Rounded to 6 decimals, every rerun gives the same table, clusters
    # and CSV bytes.
    decimals = found.select_dtypes("float").columns
    found[decimals] = found[decimals].round(_DECIMALS)
    by_cutoff = {c: part.drop(columns="cutoff").set_index("CustomerID") for c, part in found.groupby("cutoff")}
    return by_cutoff[end], None if earlier is None else by_cutoff[earlier]


def _truth(ctx: Context, segment: pd.Series) -> tuple[pd.DataFrame | None, dict[str, float] | None]:
    """Per segment, the share of customers who truly dropped out / made no purchase in the next 90 days."""
    truth = ctx.truth()
    if truth is None:
        return None, None
    known = truth.loc[segment.index]
    check = pd.DataFrame({"Segment": segment, "dropped_out": ~known["alive_at_end"].astype(bool),
                          "no_purchase_90d": known["purchases_next_90d"] == 0})
    table = check.groupby("Segment").agg(customers=("dropped_out", "size"), dropped_out=("dropped_out", "mean"),
                                         no_purchase_90d=("no_purchase_90d", "mean"))
    table = table.reindex([s for s in segments.SEGMENT_ORDER if s in table.index]
                          + sorted(s for s in table.index if s not in segments.SEGMENT_ORDER))
    watch = check["Segment"].isin(segments.AT_RISK_SEGMENTS | segments.GONE_QUIET_SEGMENTS)
    summary = {"watched_share": float(watch.mean()),
               "dropped_in_watched": float(watch[check["dropped_out"]].mean()) if check["dropped_out"].any()
               else float("nan"),
               "silent_in_watched": float(watch[check["no_purchase_90d"]].mean()) if check["no_purchase_90d"].any()
               else float("nan")}
    return table, summary


def _profile(features: pd.DataFrame, segment: pd.Series) -> pd.DataFrame:
    profile = segments.segment_profile(features, segment)
    profile["Portrait"] = [segments.SEGMENT_PORTRAITS.get(s, "") for s in profile.index]
    profile["Action"] = [segments.SEGMENT_ACTIONS.get(s, "") for s in profile.index]
    return profile


def _groups(features: pd.DataFrame, segment: pd.Series) -> pd.DataFrame:
    named = {GROUP_NAMES["all"]: list(dict.fromkeys(segment.astype("str"))),
             GROUP_NAMES["best"]: ["Champions"],
             GROUP_NAMES["at_risk"]: sorted(segments.AT_RISK_SEGMENTS),
             GROUP_NAMES["quiet"]: sorted(segments.GONE_QUIET_SEGMENTS)}
    return segments.group_summary(features, segment, named)


def _cluster_profile(clusters: ClusterResult, n: int) -> pd.DataFrame:
    cent = clusters.centroids
    table = pd.DataFrame({"Description": clusters.descriptions.loc[cent.index].to_numpy(),
                          "Customers": cent["customers"].astype(np.int64).to_numpy(),
                          "CustomerShare": (cent["customers"] / n).to_numpy()}, index=cent.index)
    return table.join(cent.drop(columns="customers"))


def _headline(currency: str, as_of: pd.Timestamp, groups: pd.DataFrame, hvar: pd.DataFrame) -> str:
    """Who the customers are, in four plain sentences (each only when it applies)."""
    everyone, best = groups.loc[GROUP_NAMES["all"]], groups.loc[GROUP_NAMES["best"]]
    drifting, quiet = groups.loc[GROUP_NAMES["at_risk"]], groups.loc[GROUP_NAMES["quiet"]]
    n = int(everyone["Customers"])
    text = [f"{plural(n, 'customer')} bought by {day(as_of)}; {pct(everyone['RepeatShare'], 0)} of them came back "
            f"for at least a second order."]
    if best["Customers"]:
        verb = "is a Champion" if best["Customers"] == 1 else "are Champions"
        text.append(f"{number(best['Customers'])} ({pct(best['CustomerShare'], 0)}) {verb}, who bought recently, "
                    f"buy often and spend the most: they brought {pct(best['RevenueShare'], 0)} of all revenue so far.")
    if drifting["Customers"]:
        text.append(
            f"{plural(drifting['Customers'], 'customer')} who used to buy well are drifting away (the At Risk, "
            f"Can't Lose Them and About To Sleep segments): they spent {money(drifting['Revenue'], currency)} "
            f"({pct(drifting['RevenueShare'], 0)} of all revenue), and the typical one has not ordered for "
            f"{plural(drifting['MedianRecency'], 'day')}.")
        if len(hvar):
            text.append(f"Call the {plural(len(hvar), 'high spender')} among them first: together they spent "
                        f"{money(hvar['Monetary'].sum(), currency)}.")
    else:
        text.append("No customer is in the at-risk segments (At Risk, Can't Lose Them, About To Sleep).")
    if quiet["Customers"]:
        have = "has" if quiet["Customers"] == 1 else "have"
        text.append(f"{number(quiet['Customers'])} ({pct(quiet['CustomerShare'], 0)}) {have} gone quiet "
                    f"(Hibernating or Lost); {_share_words(quiet['RepeatShare'])} of them came back after their "
                    f"first purchase day.")
    return " ".join(text)


def _flow_order(groups: pd.DataFrame | None) -> tuple[str, ...]:
    if groups is None:
        return ()
    present = set(groups["from_group"]) | set(groups["to_group"])
    known = (segments.NEW_SEGMENT, *segments.GROUP_ORDER, segments.LAPSED_SEGMENT)
    others = sorted(present - set(known))
    return tuple(g for g in known[:-1] if g in present) + tuple(others) + tuple(
        g for g in known[-1:] if g in present)


def _call_first_rule(min_m_score: int) -> str:
    """Who is on the call-first list, in one short sentence."""
    scores = "5" if min_m_score >= 5 else "4 or 5" if min_m_score == 4 else f"{min_m_score} or more"
    return f"High spenders (spend score {scores}) in the At Risk, Can't Lose Them or About To Sleep segments."


def _share_words(share: float) -> str:
    """A share for a sentence: "all", "nearly all" (rounding would say 100%), "none", else "67%"."""
    if share >= 1:
        return "all"
    if share >= 0.995:
        return "nearly all"
    if share <= 0:
        return "none"
    return "almost none" if share < 0.005 else pct(share, 0)


def _shown(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(CustomerID=ctx.shown_ids(frame["CustomerID"]).to_numpy())


def run(ctx: Context) -> SegmentsResult:
    """Score, segment and cluster the customers; write the segment table, the lists and the migration."""
    info = ctx.read("prepared.info")
    seg, report = ctx.params.segmentation, ctx.params.report
    rules = [r.model_dump() for r in seg.rules]
    end = pd.Timestamp(info["end_date"])
    earlier = end - pd.Timedelta(days=seg.migration_days)
    if earlier < pd.Timestamp(info["first_date"]):
        earlier = None
    features, before = _features(ctx, end, earlier)

    scores = segments.rfm_scores(features)
    segment = segments.assign_segments(scores, rules)
    clusters = segments.cluster_customers(features, list(seg.cluster_features), (seg.k_min, seg.k_max),
                                          seed=seg.seed)
    customers = features.join(scores).assign(
        Segment=segment, Cluster=clusters.labels,
        ClusterDescription=clusters.descriptions.loc[clusters.labels].to_numpy())
    ctx.write("segments.customers", customers)
    has_country = bool(info.get("available_columns", {}).get("Country")) and bool(customers["Country"].notna().any())
    listed = customers.assign(DaysBetweenOrders=segments.days_between_orders(customers)).rename_axis(
        "CustomerID").reset_index()
    listed = listed.sort_values(["Monetary", "CustomerID"], ascending=[False, True], kind="stable")
    csv_columns = [c for c in _CSV_COLUMNS if c != "Country" or has_country]
    files = {"customers": ctx.write("customer_segments", listed[csv_columns].reset_index(drop=True)).name}

    migration = migration_groups = migration_summary = None
    if before is not None:
        segment_before = segments.assign_segments(segments.rfm_scores(before), rules)
        migration = segments.segment_migration(segment_before, segment,
                                               lapsed=segments.lapsed_customers(before, features))
        migration_groups = segments.migration_by_group(migration)
        migration_summary = segments.migration_summary(migration)
    files["migration"] = ctx.write("segment_migration", migration if migration is not None else pd.DataFrame(
        columns=["from_segment", "to_segment", "customers"])).name

    hvar = segments.high_value_at_risk(features, scores, segment, min_m_score=seg.high_value_min_m_score,
                                       currency_symbol=currency_symbol(ctx.currency))
    files["high_value_at_risk"] = ctx.write("high_value_at_risk", hvar).name
    segment_files = {name: segment_file_name(name) for name in seg.export_segments}
    for name, file in segment_files.items():
        ctx.write("segment_lists", customers[customers["Segment"] == name], file=file)

    groups = _groups(features, segment)
    explorer = _shown(ctx, listed[[c for c in EXPLORER_COLUMNS if c != "Country" or has_country]])
    cloud = _shown(ctx, listed[["CustomerID", "Segment", "Recency", "Frequency", "Monetary"]])
    points, points_note = sample_points(cloud, report.max_chart_points, report.sample_seed)
    crosstab = pd.crosstab(segment.rename("Segment"), clusters.labels.rename("Cluster"))
    profile = _profile(features, segment)
    truth_check, truth_summary = _truth(ctx, segment)
    return SegmentsResult(
        info=info, currency=ctx.currency, as_of=end, customers=customers, has_country=has_country,
        profile=profile, groups=groups, high_value_at_risk=_shown(ctx, hvar), clusters=clusters,
        cluster_profile=_cluster_profile(clusters, len(customers)), crosstab=crosstab.reindex(profile.index),
        earlier=earlier, migration=migration, migration_groups=migration_groups, migration_summary=migration_summary,
        flow_order=_flow_order(migration_groups),
        explorer=explorer.reset_index(drop=True), points=points.reset_index(drop=True), points_note=points_note,
        files=files, segment_files=segment_files, headline=_headline(ctx.currency, end, groups, hvar),
        call_first_rule=_call_first_rule(seg.high_value_min_m_score), rules=tuple(rules),
        truth_check=truth_check, truth_summary=truth_summary)
