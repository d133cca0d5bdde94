"""RFM scores, named RFM segments, k-means clusters, segment migration and segment profiles.

* :func:`rfm_scores` scores Recency, Frequency and Monetary 1-5 by quantile, with ties kept together.
* :func:`assign_segments` names customers with the 11-segment R x FM grid in
  :data:`DEFAULT_SEGMENT_RULES`; the rules are plain data (they can come from a params file) and
  :func:`validate_segment_rules` proves they cover every cell.
* :func:`cluster_customers` finds data-driven groups with k-means and describes them in plain words.
* :func:`segment_migration` counts customers moving between segments from one cutoff to the next.
* :func:`segment_profile` summarises size, revenue and typical behaviour per segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

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

SEGMENT_ORDER: tuple[str, ...] = (
    "Champions",
    "Loyal Customers",
    "Potential Loyalists",
    "New Customers",
    "Promising",
    "Need Attention",
    "About To Sleep",
    "Can't Lose Them",
    "At Risk",
    "Hibernating",
    "Lost",
)
"""The named segments from best to worst."""

# Inclusive ranges of the R score and of the FM score (rounded mean of F and M). The default grid is a
# partition: every (R, FM) cell is in exactly one rule, so the first-match order does not matter here.
#
#   FM \ R |   1              2              3               4                    5
#   -------+---------------------------------------------------------------------------------------
#     5    | Can't Lose     Can't Lose     Loyal           Champions            Champions
#     4    | At Risk        At Risk        Loyal           Champions            Champions
#     3    | At Risk        At Risk        Need Attention  Potential Loyalists  Potential Loyalists
#     2    | Lost           Hibernating    About To Sleep  Potential Loyalists  Potential Loyalists
#     1    | Lost           Hibernating    About To Sleep  Promising            New Customers
DEFAULT_SEGMENT_RULES: tuple[dict[str, Any], ...] = (
    {"segment": "Champions", "r": [4, 5], "fm": [4, 5]},
    {"segment": "Loyal Customers", "r": [3, 3], "fm": [4, 5]},
    {"segment": "Potential Loyalists", "r": [4, 5], "fm": [2, 3]},
    {"segment": "New Customers", "r": [5, 5], "fm": [1, 1]},
    {"segment": "Promising", "r": [4, 4], "fm": [1, 1]},
    {"segment": "Need Attention", "r": [3, 3], "fm": [3, 3]},
    {"segment": "About To Sleep", "r": [3, 3], "fm": [1, 2]},
    {"segment": "Can't Lose Them", "r": [1, 2], "fm": [5, 5]},
    {"segment": "At Risk", "r": [1, 2], "fm": [3, 4]},
    {"segment": "Hibernating", "r": [2, 2], "fm": [1, 2]},
    {"segment": "Lost", "r": [1, 1], "fm": [1, 2]},
)
"""The 11-segment RFM grid as data: the first rule whose inclusive R and FM ranges match wins."""

SEGMENT_DESCRIPTIONS: dict[str, str] = {
    "Champions": "Bought recently, buy often and spend the most. Reward them, ask for reviews, early access.",
    "Loyal Customers": "Buy often and spend well, though not in the last weeks. Upsell, loyalty programme.",
    "Potential Loyalists": "Recent buyers, average frequency and spend. Offer membership, recommendations.",
    "New Customers": "Bought very recently, for the first time. Onboard them; make the second order easy.",
    "Promising": "Recent buyers who have not spent much yet. Build brand awareness, offer a trial or bundle.",
    "Need Attention": "Average recency, frequency and spend. Limited-time offers, personal recommendations.",
    "About To Sleep": "Below-average recency and low spend. Reconnect with popular products and a discount.",
    "Can't Lose Them": "Once the biggest, most frequent buyers, gone quiet. Win them back personally.",
    "At Risk": "Spent well and often, but long ago. Send personal re-engagement emails and renewal offers.",
    "Hibernating": "Low spend, few orders, last order long ago. Offer relevant products, special discounts.",
    "Lost": "Lowest recency, frequency and spend. Revive with one low-cost campaign, otherwise ignore.",
}
"""One plain-English line per segment with the suggested action."""

AT_RISK_SEGMENTS: frozenset[str] = frozenset({"At Risk", "Can't Lose Them", "About To Sleep"})
"""Segments worth a retention campaign: valuable customers who are drifting away."""

NEW_SEGMENT = "New (no history)"
"""``from_segment`` of customers without purchases at the earlier cutoff in :func:`segment_migration`."""

LAPSED_SEGMENT = "No purchase since"
"""``to_segment`` of customers without purchases since the earlier cutoff in :func:`segment_migration`."""

SILHOUETTE_SAMPLE = 5_000
"""At most this many customers (a seeded sample) are used to compute silhouette scores."""

_GRID = range(1, 6)
_CLUSTER_THRESHOLD = 0.5
# Words for a cluster whose mean is at least _CLUSTER_THRESHOLD standard deviations above / below average.
_CLUSTER_WORDS: dict[str, tuple[str, str]] = {
    "Recency": ("lapsed", "recent"),
    "Frequency": ("frequent", "infrequent"),
    "Monetary": ("high-spend", "low-spend"),
    "Tenure": ("long-standing", "new"),
    "PurchaseVelocity": ("slow-cycle", "fast-cycle"),
    "AvgOrderValue": ("big-basket", "small-basket"),
    "ReturnRate": ("high-return", "low-return"),
    "UniqueProducts": ("broad-range", "narrow-range"),
    "PeakSeasonShare": ("seasonal", "off-season"),
    "Frequency_90d": ("recently active", "recently inactive"),
    "Monetary_90d": ("recently high-spend", "recently low-spend"),
    "OrdersPerMonthRecentVsOverall": ("accelerating", "slowing"),
}


# --------------------------------------------------------------------------------------------------
# RFM scores
# --------------------------------------------------------------------------------------------------

def _quantile_score(values: pd.Series, n_bins: int, lower_is_better: bool) -> pd.Series:
    """Score 1..n_bins from the share of customers with a strictly worse value.

    ``score = 1 + floor(n_bins * worse / n)`` where ``worse`` counts customers with a strictly worse
    value. A run of tied values is one block that takes the score of its first (worst) position, so
    identical values always share a score and the result does not depend on row order.
    """
    worse_first = values.rank(method="min", ascending=not lower_is_better).astype(np.int64)
    score = 1 + (worse_first - 1) * n_bins // len(values)
    return score.astype(np.int64)


def rfm_scores(features: pd.DataFrame, n_bins: int = 5) -> pd.DataFrame:
    """Quantile scores for Recency, Frequency and Monetary, plus the RFM code and FM score.

    Each score is ``1 + floor(n_bins * s)`` where ``s`` is the share of customers with a strictly
    worse value (for Recency, worse = larger; for Frequency and Monetary, worse = smaller). Ties stay
    together: a block of identical values gets the score of its worst position. Scores therefore
    never depend on row order, and identical values always get identical scores.

    This matters for Frequency, where many customers have exactly one order: the one-order block
    always scores F = 1 (it starts at the bottom), and the next value starts where that block ends.
    When a block spans several quantile bins, the scores it skips are simply unused (for example,
    if 45% of customers have one order, F = 2 is never given and two-order customers score 3).

    Parameters
    ----------
    features : pandas.DataFrame
        At least Recency, Frequency and Monetary without missing values (as from
        :func:`retention.features.customer_features`).
    n_bins : int, default 5
        Number of score levels, 2 to 9 (one digit each in the RFM code).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``features``: R, F, M (int, 1 = worst, n_bins = best), RFM (text such as "545")
        and FM (int, mean of F and M rounded half up).
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or not 2 <= n_bins <= 9:
        raise ValueError(f"n_bins must be a whole number from 2 to 9, got {n_bins!r}.")
    needed = ["Recency", "Frequency", "Monetary"]
    missing = [c for c in needed if c not in features.columns]
    if missing:
        raise ValueError(f"features is missing column(s) {missing} needed for RFM scores.")
    if features.empty:
        raise ValueError("features is empty: there are no customers to score.")
    gaps = [c for c in needed if features[c].isna().any()]
    if gaps:
        raise ValueError(f"features has missing values in {gaps}; RFM scores need complete values.")
    scores = pd.DataFrame({
        "R": _quantile_score(features["Recency"], n_bins, lower_is_better=True),
        "F": _quantile_score(features["Frequency"], n_bins, lower_is_better=False),
        "M": _quantile_score(features["Monetary"], n_bins, lower_is_better=False),
    }, index=features.index)
    code = scores["R"].astype(str) + scores["F"].astype(str) + scores["M"].astype(str)
    scores["RFM"] = code.astype("str")
    scores["FM"] = ((scores["F"] + scores["M"] + 1) // 2).astype(np.int64)
    return scores


# --------------------------------------------------------------------------------------------------
# Named segments
# --------------------------------------------------------------------------------------------------

def _score_range(rule: Mapping[str, Any], key: str, where: str) -> tuple[int, int]:
    """The inclusive (low, high) range of ``rule[key]``, checked to lie within 1..5."""
    value = rule.get(key)
    if (not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2
            or not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value)):
        raise ValueError(f"{where}: '{key}' must be an inclusive range [low, high] of whole scores, "
                         f"got {value!r}.")
    low, high = int(value[0]), int(value[1])
    if not 1 <= low <= high <= 5:
        raise ValueError(f"{where}: '{key}' range {[low, high]} must satisfy 1 <= low <= high <= 5.")
    return low, high


def validate_segment_rules(rules: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check segment rules and that together they cover every (R, FM) cell of the 5 x 5 grid.

    Each rule is a mapping ``{"segment": name, "r": [low, high], "fm": [low, high]}`` with inclusive
    score ranges within 1..5. Overlaps are allowed (the first matching rule wins in
    :func:`assign_segments`); holes are not, so every customer gets exactly one segment.

    Parameters
    ----------
    rules : iterable of mappings
        The rules, in priority order.

    Returns
    -------
    list of dict
        The rules as plain dicts with integer ranges, in the same order.

    Raises
    ------
    ValueError
        If a rule is malformed, or naming every (R, FM) cell that no rule covers.
    """
    checked: list[dict[str, Any]] = []
    for i, rule in enumerate(rules):
        where = f"segment rule {i}"
        if not isinstance(rule, Mapping):
            raise ValueError(f"{where} must be a mapping with keys segment, r and fm, got {rule!r}.")
        unknown = sorted(set(rule) - {"segment", "r", "fm"})
        if unknown:
            raise ValueError(f"{where} has unknown key(s) {unknown}; use segment, r and fm.")
        name = rule.get("segment")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where} needs a non-empty 'segment' name, got {name!r}.")
        where = f"segment rule {i} ({name})"
        checked.append({"segment": name, "r": list(_score_range(rule, "r", where)),
                        "fm": list(_score_range(rule, "fm", where))})
    if not checked:
        raise ValueError("segment rules are empty; give at least one rule.")
    holes = [(r, fm) for r in _GRID for fm in _GRID
             if not any(c["r"][0] <= r <= c["r"][1] and c["fm"][0] <= fm <= c["fm"][1] for c in checked)]
    if holes:
        cells = ", ".join(f"(R={r}, FM={fm})" for r, fm in holes)
        raise ValueError(f"segment rules leave {len(holes)} (R, FM) cell(s) without a segment: {cells}.")
    return checked


def assign_segments(scores: pd.DataFrame,
                    rules: Iterable[Mapping[str, Any]] = DEFAULT_SEGMENT_RULES) -> pd.Series:
    """Name each customer's segment from its R and FM scores (the first matching rule wins).

    Parameters
    ----------
    scores : pandas.DataFrame
        R and FM scores from 1 to 5, as from :func:`rfm_scores` with ``n_bins=5``.
    rules : iterable of mappings, default DEFAULT_SEGMENT_RULES
        Segment rules, checked with :func:`validate_segment_rules`.

    Returns
    -------
    pandas.Series
        Segment name per customer (text), named "Segment", indexed like ``scores``.
    """
    checked = validate_segment_rules(rules)
    missing = [c for c in ("R", "FM") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores is missing column(s) {missing}; compute them with rfm_scores.")
    for column in ("R", "FM"):
        values = scores[column]
        if values.isna().any() or not values.isin(list(_GRID)).all():
            raise ValueError(f"scores['{column}'] must hold whole scores from 1 to 5 (use n_bins=5).")
    r = scores["R"].to_numpy()
    fm = scores["FM"].to_numpy()
    conditions = [(r >= c["r"][0]) & (r <= c["r"][1]) & (fm >= c["fm"][0]) & (fm <= c["fm"][1])
                  for c in checked]
    names = np.select(conditions, [c["segment"] for c in checked], default="")
    return pd.Series(names, index=scores.index, name="Segment", dtype="str")


# --------------------------------------------------------------------------------------------------
# Clusters
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClusterResult:
    """The outcome of :func:`cluster_customers`.

    Attributes
    ----------
    labels : pandas.Series
        Cluster per customer (int, 0 = the highest-spend cluster), indexed like the features.
    k : int
        The chosen number of clusters (highest silhouette score).
    silhouette : pandas.DataFrame
        One row per tried k: columns k and silhouette.
    centroids : pandas.DataFrame
        Per cluster (index "Cluster"): customers and the median of each column in original units.
    descriptions : pandas.Series
        A plain-words description per cluster, e.g. "recent, frequent, high-spend buyers".
    log_columns : tuple of str
        The columns that were log1p-transformed before scaling.
    """

    labels: pd.Series
    k: int
    silhouette: pd.DataFrame
    centroids: pd.DataFrame
    descriptions: pd.Series
    log_columns: tuple[str, ...]


def _cluster_matrix(features: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Log1p the skewed non-negative columns (skewness > 1), then standardise every column."""
    data = features[list(columns)].astype(float)
    skewed = tuple(c for c in columns if data[c].min() >= 0 and data[c].skew() > 1)
    for column in skewed:
        data[column] = np.log1p(data[column])
    return StandardScaler().fit_transform(data.to_numpy()), skewed


def _check_cluster_input(features: pd.DataFrame, columns: Sequence[str], k_range: tuple[int, int]) -> None:
    """Raise ValueError for unknown, non-numeric or incomplete columns and for a bad k_range."""
    columns = list(columns)
    if not columns:
        raise ValueError("columns must name at least one feature to cluster on.")
    unknown = [c for c in columns if c not in features.columns]
    if unknown:
        raise ValueError(f"features has no column(s) {unknown}.")
    not_numeric = [c for c in columns if not (pd.api.types.is_numeric_dtype(features[c])
                                              or pd.api.types.is_bool_dtype(features[c]))]
    if not_numeric:
        raise ValueError(f"cluster columns must be numeric; {not_numeric} are not.")
    incomplete = [c for c in columns if features[c].isna().any()]
    if incomplete:
        raise ValueError(f"cluster columns {incomplete} have missing values; fill or drop them first.")
    low, high = k_range
    if not 2 <= low <= high:
        raise ValueError(f"k_range must be (low, high) with 2 <= low <= high, got {k_range}.")


def _silhouette(x: np.ndarray, labels: np.ndarray, sample: np.ndarray) -> float:
    """Silhouette score on the sampled rows (NaN when the sample holds a single cluster)."""
    if np.unique(labels[sample]).size < 2:
        return float("nan")
    return float(silhouette_score(x[sample], labels[sample]))


def _canonical_labels(x: np.ndarray, labels: np.ndarray, order_by: int) -> np.ndarray:
    """Renumber clusters 0..k-1 by descending mean of column ``order_by`` (ties: other columns)."""
    k = labels.max() + 1
    means = np.vstack([x[labels == j].mean(axis=0) for j in range(k)])
    keys = [-means[:, c] for c in reversed(range(x.shape[1])) if c != order_by] + [-means[:, order_by]]
    order = np.lexsort(keys)
    new_label = np.empty(k, dtype=np.int64)
    new_label[order] = np.arange(k)
    return new_label[labels]


def _describe(z_means: pd.DataFrame) -> pd.Series:
    """Plain words per cluster from its mean standardised value of each column."""
    words = []
    for _, row in z_means.iterrows():
        parts = []
        for column, z in row.items():
            high, low = _CLUSTER_WORDS.get(str(column), (f"high {column}", f"low {column}"))
            if z >= _CLUSTER_THRESHOLD:
                parts.append(high)
            elif z <= -_CLUSTER_THRESHOLD:
                parts.append(low)
        words.append((", ".join(parts) if parts else "average") + " buyers")
    return pd.Series(words, index=z_means.index, name="Description", dtype="str")


def cluster_customers(features: pd.DataFrame, columns: Sequence[str], k_range: tuple[int, int] = (2, 8),
                      seed: int = 0) -> ClusterResult:
    """Group customers with k-means, choosing k by the highest silhouette score.

    Columns that are non-negative and right-skewed (skewness > 1) are log1p-transformed, then all
    columns are standardised (StandardScaler). For each k in ``k_range`` (inclusive, capped at the
    number of distinct customers' rows and at n - 1), KMeans(n_init=10, random_state=seed) is fitted
    and its silhouette score computed on the same seeded sample of at most
    :data:`SILHOUETTE_SAMPLE` customers. The k with the highest score wins (ties: the smaller k).

    Labels are canonical: clusters are renumbered by descending mean (standardised) Monetary, or the
    first column when Monetary is not clustered on, so cluster 0 is the highest-spend group and the
    labels do not depend on KMeans's arbitrary numbering. Each cluster is described by comparing its
    mean standardised value of every column with the overall mean (0): at least 0.5 standard deviations
    above or below earns a word such as "recent" (low Recency) or "high-spend"; none gives
    "average buyers".

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    columns : sequence of str
        Numeric columns to cluster on, without missing values.
    k_range : (int, int), default (2, 8)
        Smallest and largest number of clusters to try, inclusive.
    seed : int, default 0
        Seed for KMeans and for the silhouette sample.

    Returns
    -------
    ClusterResult
    """
    _check_cluster_input(features, columns, k_range)
    columns = list(columns)
    x, logged = _cluster_matrix(features, columns)
    n = x.shape[0]
    n_distinct = np.unique(x, axis=0).shape[0]
    k_max = min(k_range[1], n_distinct, n - 1)
    if k_max < k_range[0]:
        raise ValueError(f"Cannot form {k_range[0]} clusters from {n} customers with {n_distinct} distinct "
                         f"rows; lower k_range or add customers.")
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=SILHOUETTE_SAMPLE, replace=False)) if n > SILHOUETTE_SAMPLE \
        else np.arange(n)
    fits: dict[int, np.ndarray] = {}
    scores: list[float] = []
    ks = list(range(k_range[0], k_max + 1))
    # One thread: on a small matrix OpenMP threads only contend (measured 8x slower on 2 busy cores).
    with threadpool_limits(limits=1):
        for k in ks:
            fits[k] = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
            scores.append(_silhouette(x, fits[k], sample))
    if np.all(np.isnan(scores)):
        raise ValueError("No k in k_range gives a silhouette score; the data may hold a single group.")
    best = ks[int(np.nanargmax(scores))]
    order_by = columns.index("Monetary") if "Monetary" in columns else 0
    labels = _canonical_labels(x, fits[best], order_by)

    label_series = pd.Series(labels, index=features.index, name="Cluster")
    original = features[columns].astype(float).groupby(labels).median()
    centroids = pd.concat([pd.Series(np.bincount(labels), name="customers"), original], axis=1)
    centroids.index.name = "Cluster"
    z_means = pd.DataFrame(x, columns=columns).groupby(labels).mean()
    z_means.index.name = "Cluster"
    return ClusterResult(
        labels=label_series,
        k=best,
        silhouette=pd.DataFrame({"k": ks, "silhouette": scores}),
        centroids=centroids,
        descriptions=_describe(z_means),
        log_columns=logged,
    )


# --------------------------------------------------------------------------------------------------
# Migration and profiles
# --------------------------------------------------------------------------------------------------

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
    cutoff (both tables from :func:`retention.features.customer_features`, without ``window_days``).

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


# --------------------------------------------------------------------------------------------------
# Action lists
# --------------------------------------------------------------------------------------------------

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
