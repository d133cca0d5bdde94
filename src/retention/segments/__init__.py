"""RFM scores, named RFM segments, k-means clusters, segment migration and segment profiles.

* :func:`rfm_scores` scores Recency, Frequency and Monetary 1-5 by quantile, with ties kept together.
* :func:`assign_segments` names customers with the 11-segment R x FM grid in
  :data:`DEFAULT_SEGMENT_RULES`; the rules are plain data (they can come from a params file) and
  :func:`validate_segment_rules` proves they cover every cell.
* :func:`cluster_customers` finds data-driven groups with k-means and describes them in plain words.
* :func:`segment_migration` counts customers moving between segments from one cutoff to the next.
* :func:`segment_profile` summarises size, revenue and typical behaviour per segment.
"""

from retention.segments.clusters import SILHOUETTE_SAMPLE, ClusterResult, cluster_customers
from retention.segments.migration import LAPSED_SEGMENT, NEW_SEGMENT, lapsed_customers, segment_migration
from retention.segments.profiles import high_value_at_risk, segment_profile
from retention.segments.rfm import (
    AT_RISK_SEGMENTS,
    DEFAULT_SEGMENT_RULES,
    SEGMENT_DESCRIPTIONS,
    SEGMENT_ORDER,
    assign_segments,
    rfm_scores,
    validate_segment_rules,
)

__all__ = [
    "DEFAULT_SEGMENT_RULES",
    "SEGMENT_DESCRIPTIONS",
    "SEGMENT_ORDER",
    "AT_RISK_SEGMENTS",
    "NEW_SEGMENT",
    "LAPSED_SEGMENT",
    "SILHOUETTE_SAMPLE",
    "ClusterResult",
    "rfm_scores",
    "validate_segment_rules",
    "assign_segments",
    "cluster_customers",
    "lapsed_customers",
    "segment_migration",
    "segment_profile",
    "high_value_at_risk",
]
