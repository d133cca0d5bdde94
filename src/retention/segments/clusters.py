"""Data-driven groups: k-means on log-scaled, standardised features, k chosen by the silhouette score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

__all__ = ["SILHOUETTE_SAMPLE", "SILHOUETTE_BANDS", "ClusterResult", "cluster_customers", "silhouette_verdict"]

SILHOUETTE_SAMPLE = 5_000
"""At most this many customers (a seeded sample) are used to compute silhouette scores."""

SILHOUETTE_BANDS: tuple[tuple[float, float, str], ...] = (
    (-1.0, 0.25, "no real structure"),
    (0.25, 0.50, "weak structure"),
    (0.50, 0.70, "reasonable structure"),
    (0.70, 1.0, "strong structure"),
)
"""How to read an average silhouette score (Kaufman & Rousseeuw, *Finding Groups in Data*, 1990): up to
0.25 no substantial structure, up to 0.50 a weak one that may be artificial, up to 0.70 a reasonable one,
above a strong one. Each band is (low, high, words); a score on a boundary belongs to the band below."""

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

    @property
    def score(self) -> float:
        """The silhouette score of the chosen k."""
        return float(self.silhouette.set_index("k").loc[self.k, "silhouette"])

    @property
    def verdict(self) -> str:
        """The chosen k's silhouette score in words (:func:`silhouette_verdict`)."""
        return silhouette_verdict(self.score)


def silhouette_verdict(score: float) -> str:
    """An average silhouette score in words, by :data:`SILHOUETTE_BANDS`: "weak structure" for 0.3."""
    if not -1.0 <= score <= 1.0:
        raise ValueError(f"a silhouette score lies between -1 and 1, got {score!r}.")
    return next(words for low, high, words in SILHOUETTE_BANDS if score <= high)


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


def _silhouettes(x: np.ndarray, labelings: Sequence[np.ndarray], chunk: int = 1_000) -> list[float]:
    """The mean silhouette score of each labelling of the rows of ``x`` (NaN for one holding a single cluster).

    Equal to :func:`sklearn.metrics.silhouette_score` (Euclidean), but the distances are computed once for all
    labellings, a block of ``chunk`` rows at a time (memory ``chunk x n``): per row, the summed distance to
    each cluster gives the mean distance to its own cluster (a, without itself) and to the nearest other (b);
    ``s = (b - a) / max(a, b)``, and 0 for a row alone in its cluster.
    """
    n = x.shape[0]
    onehots, sums = [], []
    for labels in labelings:
        _, codes = np.unique(labels, return_inverse=True)
        onehots.append(np.eye(codes.max() + 1)[codes])
        sums.append(np.empty((n, codes.max() + 1)))
    for start in range(0, n, chunk):
        block = pairwise_distances(x[start:start + chunk], x)
        for onehot, total in zip(onehots, sums, strict=True):
            total[start:start + chunk] = block @ onehot
    scores = []
    for onehot, total in zip(onehots, sums, strict=True):
        if onehot.shape[1] < 2:
            scores.append(float("nan"))
            continue
        counts = onehot.sum(axis=0)
        own = onehot.argmax(axis=1)
        size = counts[own]
        a = total[np.arange(n), own] / np.maximum(size - 1, 1)
        mean = total / counts
        mean[np.arange(n), own] = np.inf
        b = mean.min(axis=1)
        s = np.where(size > 1, (b - a) / np.maximum(np.maximum(a, b), np.finfo(float).tiny), 0.0)
        scores.append(float(s.mean()))
    return scores


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
    ks = list(range(k_range[0], k_max + 1))
    # One thread: on a small matrix OpenMP threads only contend (measured 8x slower on 2 busy cores).
    with threadpool_limits(limits=1):
        for k in ks:
            fits[k] = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
        scores = _silhouettes(x[sample], [fits[k][sample] for k in ks])
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
