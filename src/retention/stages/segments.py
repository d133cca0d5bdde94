"""Stage 02: who the customers are as of the end of the data: RFM segments, clusters, migration, action lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from retention import segments
from retention.report.formatting import currency_symbol
from retention.segments import ClusterResult
from retention.stages.context import Context

__all__ = ["SegmentsResult", "run", "segment_file_name"]


@dataclass(frozen=True)
class SegmentsResult:
    """Everything the segmentation report shows."""

    info: dict[str, Any]
    currency: str
    as_of: pd.Timestamp
    customers: pd.DataFrame          # features + R, F, M, RFM, Segment, Cluster, ClusterDescription
    profile: pd.DataFrame            # one row per segment
    clusters: ClusterResult
    earlier: pd.Timestamp            # the migration's earlier cutoff
    migration: pd.DataFrame
    high_value_at_risk: pd.DataFrame
    segment_files: tuple[str, ...]   # the per-segment lists written (segmentation.export_segments)
    truth_check: pd.DataFrame | None  # per segment: dropped out / no purchase in 90 days (generated data only)
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)

    @property
    def segment_order(self) -> list[str]:
        present = set(self.customers["Segment"])
        return [s for s in segments.SEGMENT_ORDER if s in present]


def segment_file_name(segment: str) -> str:
    """The CSV list of one exported segment, e.g. ``segment_cant_lose_them.csv``."""
    return "segment_" + segment.lower().replace(" ", "_").replace("'", "") + ".csv"


def _features(ctx: Context, cutoff: pd.Timestamp) -> pd.DataFrame:
    return ctx.log.customer_features(cutoff, peak_months=ctx.params.features.peak_months)


def _truth_check(ctx: Context, segment: pd.Series) -> pd.DataFrame | None:
    truth = ctx.truth()
    if truth is None:
        return None
    known = truth.loc[segment.index]
    check = pd.DataFrame({"Segment": segment, "dropped_out": ~known["alive_at_end"].astype(bool),
                          "no_purchase_90d": known["purchases_next_90d"] == 0})
    table = check.groupby("Segment").agg(customers=("dropped_out", "size"), dropped_out=("dropped_out", "mean"),
                                         no_purchase_90d=("no_purchase_90d", "mean"))
    return table.reindex([s for s in segments.SEGMENT_ORDER if s in table.index])


def run(ctx: Context) -> SegmentsResult:
    """Score, segment and cluster the customers; write the segment table and the lists."""
    info = ctx.read("prepared.info")
    seg = ctx.params.segmentation
    end = pd.Timestamp(info["end_date"])
    features = _features(ctx, end)
    scores = segments.rfm_scores(features)
    segment = segments.assign_segments(scores, [r.model_dump() for r in seg.rules])
    clusters = segments.cluster_customers(features, list(seg.cluster_features), (seg.k_min, seg.k_max),
                                          seed=seg.seed)
    customers = features.join(scores).assign(
        Segment=segment, Cluster=clusters.labels,
        ClusterDescription=clusters.descriptions.loc[clusters.labels].to_numpy())
    ctx.write("segments.customers", customers)

    earlier = end - pd.Timedelta(days=seg.migration_days)
    before = _features(ctx, earlier)
    segment_before = segments.assign_segments(segments.rfm_scores(before), [r.model_dump() for r in seg.rules])
    migration = segments.segment_migration(segment_before, segment,
                                           lapsed=segments.lapsed_customers(before, features))
    ctx.write("segment_migration", migration)

    hvar = segments.high_value_at_risk(features, scores, segment, min_m_score=seg.high_value_min_m_score,
                                       currency_symbol=currency_symbol(ctx.currency))
    ctx.write("high_value_at_risk", hvar)
    files = []
    for name in seg.export_segments:
        files.append(segment_file_name(name))
        ctx.write("segment_lists", customers[customers["Segment"] == name], file=files[-1])
    return SegmentsResult(info=info, currency=ctx.currency, as_of=end, customers=customers,
                          profile=segments.segment_profile(features, segment), clusters=clusters, earlier=earlier,
                          migration=migration, high_value_at_risk=hvar, segment_files=tuple(files),
                          truth_check=_truth_check(ctx, segment))
