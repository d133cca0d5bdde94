"""Tests for retention.segments: scores, segment rules, clusters, migration and profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.engine import open_log
from retention.generator import GeneratorConfig, generate
from retention.segments import (
    AT_RISK_SEGMENTS,
    DEFAULT_SEGMENT_RULES,
    GROUP_ORDER,
    LAPSED_SEGMENT,
    NEW_SEGMENT,
    SEGMENT_ACTIONS,
    SEGMENT_DESCRIPTIONS,
    SEGMENT_GROUPS,
    SEGMENT_ORDER,
    assign_segments,
    cluster_customers,
    days_between_orders,
    group_summary,
    high_value_at_risk,
    lapsed_customers,
    migration_by_group,
    migration_summary,
    repeat_buyers,
    rfm_scores,
    segment_migration,
    segment_profile,
    silhouette_verdict,
    validate_segment_rules,
)


@pytest.fixture(scope="module")
def at() -> dict[str, pd.DataFrame]:
    """The engine's customer features of a generated log (300 customers) at two cutoffs."""
    log = generate(GeneratorConfig(n_customers=300)).transactions
    with open_log(log, layout="canonical") as session:
        return {day: session.customer_features(day) for day in ("2011-08-31", "2011-11-30")}


@pytest.fixture(scope="module")
def features(at: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return at["2011-11-30"]


def _grid() -> pd.DataFrame:
    """Every (R, FM) cell once."""
    cells = [(r, fm) for r in range(1, 6) for fm in range(1, 6)]
    return pd.DataFrame(cells, columns=["R", "FM"], index=[f"c{r}{fm}" for r, fm in cells])


def test_rfm_scores_known_values() -> None:
    features = pd.DataFrame({
        "Recency": [0, 5, 5, 10, 20, 30, 40, 50, 60, 100],
        "Frequency": [10, 3, 2, 2, 1, 1, 1, 1, 1, 1],
        "Monetary": [100.0, 90, 80, 70, 60, 50, 40, 30, 20, 10],
    }, index=[f"c{i}" for i in range(10)])
    scores = rfm_scores(features)
    # score = 1 + floor(5 * share of customers with a strictly worse value)
    assert scores["R"].tolist() == [5, 4, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores["F"].tolist() == [5, 5, 4, 4, 1, 1, 1, 1, 1, 1]  # the one-order block scores 1
    assert scores["M"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores.loc["c0", "RFM"] == "555" and scores.loc["c9", "RFM"] == "111"
    # FM is the mean of F and M rounded half up: (1 + 3) / 2 = 2, (4 + 4) / 2 = 4, (1 + 2) / 2 -> 2.
    assert scores.loc["c4", "FM"] == 2 and scores.loc["c2", "FM"] == 4 and scores.loc["c6", "FM"] == 2
    for column in ("R", "F", "M", "FM"):
        assert scores[column].dtype == np.int64


def test_rfm_scores_ignore_row_order(features: pd.DataFrame) -> None:
    scores = rfm_scores(features)
    for seed in (1, 2):
        shuffled = rfm_scores(features.sample(frac=1.0, random_state=seed))
        pd.testing.assert_frame_equal(shuffled.loc[scores.index], scores)
    for value, score in (("Recency", "R"), ("Frequency", "F"), ("Monetary", "M")):
        per_value = scores[score].groupby(features[value]).nunique()
        assert (per_value == 1).all(), f"identical {value} values got different {score} scores"
        assert scores[score].between(1, 5).all()
    # Recency: lower is better.
    assert scores.loc[features["Recency"].idxmin(), "R"] == 5
    assert scores.loc[features["Recency"].idxmax(), "R"] == 1
    assert (scores.loc[features["Frequency"] == 1, "F"] == 1).all()


def test_rfm_scores_rejects_bad_input(features: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="Monetary"):
        rfm_scores(features.drop(columns="Monetary"))
    with pytest.raises(ValueError, match="n_bins"):
        rfm_scores(features, n_bins=1)


def test_default_rules_partition_the_grid() -> None:
    validate_segment_rules(DEFAULT_SEGMENT_RULES)
    grid = _grid()
    for r, fm in zip(grid["R"], grid["FM"], strict=True):
        hits = [rule["segment"] for rule in DEFAULT_SEGMENT_RULES
                if rule["r"][0] <= r <= rule["r"][1] and rule["fm"][0] <= fm <= rule["fm"][1]]
        assert len(hits) == 1, (r, fm, hits)
    segments = assign_segments(grid)
    assert set(segments) == set(SEGMENT_ORDER)  # all 11 segments are reachable
    assert segments["c55"] == "Champions" and segments["c11"] == "Lost"
    assert segments["c51"] == "New Customers" and segments["c15"] == "Can't Lose Them"
    assert segments["c33"] == "Need Attention"
    assert set(SEGMENT_DESCRIPTIONS) == set(SEGMENT_ORDER) == set(SEGMENT_ACTIONS)
    assert set(SEGMENT_ORDER) >= AT_RISK_SEGMENTS


def test_every_customer_gets_one_segment(features: pd.DataFrame) -> None:
    scores = rfm_scores(features)
    segments = assign_segments(scores)
    assert segments.index.equals(features.index)
    assert segments.notna().all()
    assert segments.isin(SEGMENT_ORDER).all()


def test_first_matching_rule_wins() -> None:
    rules = [{"segment": "Top", "r": [5, 5], "fm": [5, 5]}, {"segment": "Rest", "r": [1, 5], "fm": [1, 5]}]
    segments = assign_segments(_grid(), rules)
    assert segments["c55"] == "Top"
    assert (segments.drop("c55") == "Rest").all()


def test_rules_with_a_hole_are_rejected() -> None:
    rules = [rule for rule in DEFAULT_SEGMENT_RULES if rule["segment"] != "Promising"]
    with pytest.raises(ValueError, match=r"1 \(R, FM\) cell.*\(R=4, FM=1\)"):
        validate_segment_rules(rules)
    with pytest.raises(ValueError, match=r"\(R=4, FM=1\)"):
        assign_segments(_grid(), rules)


@pytest.mark.parametrize(
    "rule",
    [
        {"segment": "Bad", "r": [0, 5], "fm": [1, 5]},
        {"segment": "Bad", "r": [4, 2], "fm": [1, 5]},
        {"segment": "Bad", "r": [1, 5]},
        {"segment": "", "r": [1, 5], "fm": [1, 5]},
        {"segment": "Bad", "r": [1, 5], "fm": [1, 5], "f": [1, 5]},
    ],
)
def test_malformed_rules_are_rejected(rule: dict) -> None:
    with pytest.raises(ValueError, match="segment rule 0"):
        validate_segment_rules([rule])


def test_clusters_are_deterministic(features: pd.DataFrame) -> None:
    columns = ["Recency", "Frequency", "Monetary"]
    first = cluster_customers(features, columns, seed=3)
    second = cluster_customers(features, columns, seed=3)
    pd.testing.assert_series_equal(first.labels, second.labels)
    assert first.labels.index.equals(features.index)
    assert first.silhouette["k"].tolist() == list(range(2, 9))
    assert first.k == int(first.silhouette.loc[first.silhouette["silhouette"].idxmax(), "k"])
    assert sorted(first.labels.unique()) == list(range(first.k))
    assert first.centroids["customers"].sum() == len(features)
    assert len(first.descriptions) == first.k
    assert "Monetary" in first.log_columns
    # Canonical order: cluster 0 has the highest mean (log) Monetary, and so on down.
    log_spend = np.log1p(features["Monetary"]).groupby(first.labels).mean()
    assert log_spend.is_monotonic_decreasing


def test_cluster_labels_are_canonical_across_seeds() -> None:
    rng = np.random.default_rng(0)
    blobs = []
    for spend, recency, size in ((5000.0, 5.0, 40), (50.0, 300.0, 60), (500.0, 60.0, 50)):
        blobs.append(pd.DataFrame({"Monetary": spend * rng.uniform(0.9, 1.1, size),
                                   "Recency": recency * rng.uniform(0.9, 1.1, size)}))
    features = pd.concat(blobs, ignore_index=True)
    features.index = [f"c{i:03d}" for i in range(len(features))]
    results = [cluster_customers(features, ["Recency", "Monetary"], k_range=(2, 5), seed=s)
               for s in (0, 4, 5)]
    expected = np.repeat([0, 2, 1], [40, 60, 50])
    for result in results:
        assert result.k == 3
        assert result.labels.tolist() == expected.tolist()
    descriptions = results[0].descriptions
    assert descriptions[0] == "recent, high-spend buyers"
    assert descriptions[2] == "lapsed, low-spend buyers"


def test_cluster_input_checks(features: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no column"):
        cluster_customers(features, ["Nope"])
    with pytest.raises(ValueError, match="numeric"):
        cluster_customers(features, ["Country"])
    with pytest.raises(ValueError, match="k_range"):
        cluster_customers(features, ["Monetary"], k_range=(1, 3))


def test_migration_counts_add_up(at: dict[str, pd.DataFrame]) -> None:
    before, after = at["2011-08-31"], at["2011-11-30"]
    seg_before = assign_segments(rfm_scores(before))
    seg_after = assign_segments(rfm_scores(after))
    lapsed = lapsed_customers(before, after)
    expected_lapsed = after.index[after["Frequency"] == before["Frequency"].reindex(after.index)]
    assert lapsed.equals(expected_lapsed)

    table = segment_migration(seg_before, seg_after, lapsed=lapsed)
    assert list(table.columns) == ["from_segment", "to_segment", "customers"]
    assert table["customers"].sum() == len(after)
    assert (table["customers"] > 0).all()
    assert not table.duplicated(["from_segment", "to_segment"]).any()
    new = table.loc[table["from_segment"] == NEW_SEGMENT, "customers"].sum()
    assert new == len(after.index.difference(before.index)) > 0
    assert table.loc[table["to_segment"] == LAPSED_SEGMENT, "customers"].sum() == len(lapsed) > 0
    assert table["from_segment"].iloc[0] == NEW_SEGMENT


def test_migration_hand_built() -> None:
    before = pd.Series({"a": "Champions", "b": "Champions", "c": "Lost"})
    after = pd.Series({"a": "Champions", "b": "At Risk", "c": "Lost", "d": "New Customers", "e": "Promising"})
    table = segment_migration(before, after, lapsed=["c"])
    expected = pd.DataFrame({
        "from_segment": [NEW_SEGMENT, NEW_SEGMENT, "Champions", "Champions", "Lost"],
        "to_segment": ["New Customers", "Promising", "Champions", "At Risk", LAPSED_SEGMENT],
        "customers": np.array([1, 1, 1, 1, 1], dtype=np.int64),
    }).astype({"from_segment": "str", "to_segment": "str"})
    pd.testing.assert_frame_equal(table, expected)
    plain = segment_migration(before, after)
    assert plain["customers"].sum() == 5 and LAPSED_SEGMENT not in set(plain["to_segment"])
    with pytest.raises(ValueError, match="lapsed"):
        segment_migration(before, after, lapsed=["d"])


def _profile_features() -> pd.DataFrame:
    """Four customers; c ordered on one day only (PurchaseVelocity = its tenure, a lower bound)."""
    days = pd.to_datetime(["2011-01-01", "2011-05-01", "2011-03-01", "2011-11-10"])
    last = pd.to_datetime(["2011-11-29", "2011-11-27", "2011-03-01", "2011-11-20"])
    return pd.DataFrame({
        "Recency": [1, 3, 200, 10],
        "Frequency": [10, 6, 1, 2],
        "Monetary": [1000.0, 600.0, 50.0, 350.0],
        "Tenure": [300, 200, 250, 20],
        "PurchaseVelocity": [30.0, 33.0, 250.0, 10.0],
        "FirstPurchase": days, "LastPurchase": last,
    }, index=["a", "b", "c", "d"])


def test_segment_profile() -> None:
    features = _profile_features()
    segments = pd.Series({"c": "Lost", "a": "Champions", "b": "Champions", "d": "Potential Loyalists"})
    profile = segment_profile(features, segments)
    assert profile.index.tolist() == ["Champions", "Potential Loyalists", "Lost"]
    champions = profile.loc["Champions"]
    assert champions["Customers"] == 2 and champions["CustomerShare"] == pytest.approx(0.5)
    assert champions["Revenue"] == pytest.approx(1600.0)
    assert champions["RevenueShare"] == pytest.approx(1600.0 / 2000.0)
    assert champions["MedianRecency"] == 2.0 and champions["MedianFrequency"] == 8.0
    assert champions["MedianDaysBetweenOrders"] == pytest.approx(31.5)
    assert champions["RepeatShare"] == 1.0
    assert champions["AvgMonetary"] == pytest.approx(800.0)
    assert profile["CustomerShare"].sum() == pytest.approx(1.0)
    assert profile["RevenueShare"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="not in features"):
        segment_profile(features.drop(index="a"), segments)


def test_one_order_customers_have_no_days_between_orders() -> None:
    """A customer who ordered on one day only has no measured gap: the profile does not report their tenure."""
    features = _profile_features()
    gaps = days_between_orders(features)
    assert gaps[["a", "b", "d"]].tolist() == [30.0, 33.0, 10.0] and np.isnan(gaps["c"])
    assert repeat_buyers(features).tolist() == [True, True, False, True]
    lost = segment_profile(features, pd.Series({"c": "Lost"})).loc["Lost"]
    assert lost["RepeatShare"] == 0.0 and np.isnan(lost["MedianDaysBetweenOrders"])  # not 250 (its tenure)
    everyone = segment_profile(features, pd.Series("All", index=features.index)).loc["All"]
    assert everyone["MedianDaysBetweenOrders"] == 30.0 and everyone["RepeatShare"] == 0.75


def test_group_summary_takes_medians_across_customers() -> None:
    """The median recency of a group is over its customers, not the median of its segments' medians."""
    n = {"At Risk": 5, "Can't Lose Them": 1, "About To Sleep": 1}
    recency = {"At Risk": [100, 110, 120, 130, 140], "Can't Lose Them": [400], "About To Sleep": [500]}
    rows = [(f"{s[:3]}{i}", s, r) for s in n for i, r in enumerate(recency[s])] + [("champ", "Champions", 2)]
    ids = [r[0] for r in rows]
    features = pd.DataFrame({"Recency": [r[2] for r in rows], "Frequency": 2, "Monetary": 100.0, "Tenure": 600,
                             "PurchaseVelocity": 30.0, "FirstPurchase": pd.Timestamp("2011-01-01"),
                             "LastPurchase": pd.Timestamp("2011-06-01")}, index=ids)
    segments = pd.Series([r[1] for r in rows], index=ids)
    table = group_summary(features, segments, {"at risk": AT_RISK_SEGMENTS, "nobody": ["Lost"]})
    assert table.index.tolist() == ["at risk", "nobody"]
    at_risk = table.loc["at risk"]
    assert at_risk["Customers"] == 7 and at_risk["CustomerShare"] == pytest.approx(7 / 8)
    assert at_risk["MedianRecency"] == 130  # across the 7 customers; the segment medians 120, 400, 500 give 400
    assert at_risk["RevenueShare"] == pytest.approx(7 / 8)
    assert table.loc["nobody", "Customers"] == 0 and np.isnan(table.loc["nobody", "MedianRecency"])


def test_high_value_at_risk_says_why_in_the_singular_when_it_is_one() -> None:
    features = _profile_features()
    scores = pd.DataFrame({"M": [5, 5, 5, 5], "RFM": ["155", "155", "115", "155"]}, index=features.index)
    segments = pd.Series({"a": "At Risk", "b": "Champions", "c": "Can't Lose Them", "d": "About To Sleep"})
    features.loc["d", "Recency"] = 1
    table = high_value_at_risk(features, scores, segments, currency_symbol="$")
    assert table["CustomerID"].tolist() == ["a", "d", "c"]
    why = dict(zip(table["CustomerID"], table["Why"], strict=True))
    assert why["c"] == "Can't Lose Them: spent $50 over 1 order, but no order for 200 days"
    assert why["d"] == "About To Sleep: spent $350 over 2 orders, but no order for 1 day"


def test_silhouette_verdict_bands() -> None:
    assert silhouette_verdict(0.1) == "no real structure"
    assert silhouette_verdict(0.25) == "no real structure"
    assert silhouette_verdict(0.27) == "weak structure"
    assert silhouette_verdict(0.6) == "reasonable structure"
    assert silhouette_verdict(0.9) == "strong structure"
    with pytest.raises(ValueError):
        silhouette_verdict(1.5)


def test_migration_summary_and_groups() -> None:
    before = pd.Series({"a": "Champions", "b": "Champions", "c": "Champions", "d": "Lost", "e": "Hibernating"})
    after = pd.Series({"a": "Champions", "b": "Loyal Customers", "c": "Champions", "d": "Lost",
                       "e": "Hibernating", "f": "New Customers"})
    migration = segment_migration(before, after, lapsed=["c", "d"])
    summary = migration_summary(migration)
    assert summary.index.tolist() == ["Champions", "Hibernating", "Lost"]
    champions = summary.loc["Champions"]
    assert (champions["customers"], champions["bought_again"], champions["no_purchase_since"]) == (3, 2, 1)
    assert champions["top_destination"] == "Champions"  # tie of 1 and 1: the better segment
    assert champions["top_destination_share"] == 0.5
    assert summary.loc["Lost", "bought_again"] == 0 and pd.isna(summary.loc["Lost", "top_destination"])
    groups = migration_by_group(migration)
    assert groups.to_dict("list") == {
        "from_group": [NEW_SEGMENT, "Best", "Best", "Gone quiet", "Gone quiet"],
        "to_group": ["Recent", "Best", LAPSED_SEGMENT, "Gone quiet", LAPSED_SEGMENT],
        "customers": [1, 2, 1, 1, 1]}
    assert set(SEGMENT_GROUPS) == set(SEGMENT_ORDER) and set(SEGMENT_GROUPS.values()) == set(GROUP_ORDER)
    assert {s for s, g in SEGMENT_GROUPS.items() if g == "At risk"} == AT_RISK_SEGMENTS


def test_silhouettes_equal_sklearn() -> None:
    from sklearn.metrics import silhouette_score

    from retention.segments.clusters import _silhouettes

    rng = np.random.default_rng(3)
    x = np.vstack([rng.normal(0, 1, (60, 3)), rng.normal(4, 1, (50, 3)), rng.normal([0, 6, 0], 1, (7, 3))])
    labelings = [rng.integers(0, k, len(x)) for k in (2, 3, 5)] + [np.r_[np.zeros(60), np.ones(50), [2] * 7]]
    labelings.append(np.r_[np.zeros(116), [1]])  # a cluster of one scores 0
    found = _silhouettes(x, labelings, chunk=25)
    assert found == pytest.approx([silhouette_score(x, lab) for lab in labelings], abs=1e-9)
    assert np.isnan(_silhouettes(x, [np.zeros(len(x))])[0])
