"""RFM scores, named RFM segments, k-means clusters, segment migration and segment profiles.

* :mod:`~retention.segments.rfm`: :func:`rfm_scores` scores Recency, Frequency and Monetary 1-5 by quantile,
  with ties kept together; :func:`assign_segments` names customers with the 11-segment R x FM grid in
  :data:`DEFAULT_SEGMENT_RULES` (plain data that can come from a params file; :func:`validate_segment_rules`
  proves they cover every cell); who each segment is, what to do with it, and five broad groups.
* :mod:`~retention.segments.clusters`: :func:`cluster_customers` finds data-driven groups with k-means and
  describes them in plain words; :func:`silhouette_verdict` says how clear the groups are.
* :mod:`~retention.segments.migration`: :func:`segment_migration` counts customers moving between segments
  from one cutoff to the next; :func:`migration_summary` and :func:`migration_by_group` condense it.
* :mod:`~retention.segments.profiles`: :func:`segment_profile` and :func:`group_summary` summarise size,
  revenue and typical behaviour (medians across customers); :func:`days_between_orders` measures the order
  rhythm of repeat buyers only; :func:`high_value_at_risk` lists whom to call first.

Every function takes per-customer tables (features as of a cutoff, from the engine), never lines.
"""

from retention.segments.clusters import (
    SILHOUETTE_BANDS,
    SILHOUETTE_SAMPLE,
    ClusterResult,
    cluster_customers,
    silhouette_verdict,
)
from retention.segments.migration import (
    LAPSED_SEGMENT,
    NEW_SEGMENT,
    lapsed_customers,
    migration_by_group,
    migration_summary,
    segment_migration,
)
from retention.segments.profiles import (
    days_between_orders,
    group_summary,
    high_value_at_risk,
    repeat_buyers,
    segment_profile,
)
from retention.segments.rfm import (
    AT_RISK_SEGMENTS,
    DEFAULT_SEGMENT_RULES,
    GONE_QUIET_SEGMENTS,
    GROUP_ORDER,
    SEGMENT_ACTIONS,
    SEGMENT_DESCRIPTIONS,
    SEGMENT_GROUPS,
    SEGMENT_ORDER,
    SEGMENT_PORTRAITS,
    assign_segments,
    rfm_scores,
    segment_group,
    validate_segment_rules,
)

__all__ = [
    # rfm
    "DEFAULT_SEGMENT_RULES", "SEGMENT_ORDER", "SEGMENT_PORTRAITS", "SEGMENT_ACTIONS", "SEGMENT_DESCRIPTIONS",
    "AT_RISK_SEGMENTS", "GONE_QUIET_SEGMENTS", "SEGMENT_GROUPS", "GROUP_ORDER", "segment_group", "rfm_scores",
    "validate_segment_rules", "assign_segments",
    # clusters
    "SILHOUETTE_SAMPLE", "SILHOUETTE_BANDS", "ClusterResult", "cluster_customers", "silhouette_verdict",
    # migration
    "NEW_SEGMENT", "LAPSED_SEGMENT", "lapsed_customers", "segment_migration", "migration_by_group",
    "migration_summary",
    # profiles and lists
    "repeat_buyers", "days_between_orders", "segment_profile", "group_summary", "high_value_at_risk",
]
