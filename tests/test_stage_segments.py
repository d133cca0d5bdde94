"""Stage 02 in-process on a small generated profile (prepare, 01, 02): its result, its products and its words."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pandas as pd
import pytest
import yaml

from retention import catalog, cli, segments, stages
from retention.features import FEATURE_COLUMNS
from retention.privacy import SALT_ENV
from retention.stages import segments as stage


def _run(folder, extra=None):
    params = folder / "small.yaml"
    settings = {"data": {"path": str(folder / "data" / "log.csv")}, "generator": {"n_customers": 400, "seed": 5},
                "report": {"max_chart_points": 150, "max_table_rows": 100}}
    for section, values in (extra or {}).items():
        settings.setdefault(section, {}).update(values)
    params.write_text(yaml.safe_dump(settings))
    out = folder / "out"
    assert cli.main(["prepare", "--params", str(params), "--out", str(out)]) == 0
    reads = {}
    results = {}
    for step in ("01_eda", "02_segmentation"):
        ctx = stages.open_context(step, str(params), out)
        results[step] = stages.run_in(ctx)
        reads[step] = ctx.params_read
    return params, out, results["02_segmentation"], reads["02_segmentation"]



@pytest.fixture(scope="module")
def small(tmp_path_factory):
    import os

    os.environ.pop(SALT_ENV, None)
    return _run(tmp_path_factory.mktemp("seg"), {"segmentation": {"export_segments": ["Champions", "Can't Lose Them"]}})


def test_result_is_frozen_and_the_products_are_written(small):
    params, out, r, reads = small
    assert dataclasses.is_dataclass(r) and r.__dataclass_params__.frozen
    for name in catalog.step("02_segmentation").writes:
        path = catalog.PRODUCTS[name].path
        if "*" not in path:
            assert (out / path).exists(), path
    assert {f for f in r.segment_files.values()} == {"segment_champions.csv", "segment_cant_lose_them.csv"}
    assert all((out / "artifacts" / f).exists() for f in r.segment_files.values())
    assert {"segmentation", "report"} <= {k.split(".")[0] for k in reads}


def test_segments_customers_keeps_its_schema(small):
    _, out, r, _ = small
    table = pd.read_parquet(out / catalog.PRODUCTS["segments.customers"].path).set_index("CustomerID")
    expected = [*FEATURE_COLUMNS, "R", "F", "M", "RFM", "Segment", "Cluster", "ClusterDescription"]
    assert set(expected) <= set(table.columns)
    assert table.index.is_unique and len(table) == len(r.customers) == int(r.group("all")["Customers"])
    assert table["Segment"].notna().all() and table["Cluster"].between(0, r.clusters.k - 1).all()


def test_the_full_list_is_in_the_csv_and_the_tables_are_capped_by_the_toolkit(small):
    _, out, r, _ = small
    full = pd.read_csv(out / "artifacts" / r.files["customers"], dtype={"CustomerID": "string"})
    assert len(full) == len(r.customers) == len(r.explorer)
    assert full["Monetary"].is_monotonic_decreasing
    one_day = full["FirstPurchase"] == full["LastPurchase"]
    assert full.loc[one_day, "DaysBetweenOrders"].isna().all()  # not their tenure
    assert full.loc[~one_day, "DaysBetweenOrders"].notna().all()
    assert list(r.explorer.columns) == [c for c in stage.EXPLORER_COLUMNS if c in r.explorer.columns]


def test_the_3d_chart_gets_a_seeded_stated_sample(small):
    _, _, r, _ = small
    assert len(r.points) == 150 < len(r.customers)
    assert r.points_note == f"Showing a random sample of 150 of {len(r.customers):,} customers (seed 42)."
    assert set(r.points["CustomerID"]) <= set(r.explorer["CustomerID"])


def test_group_numbers_are_medians_across_customers(small):
    _, _, r, _ = small
    c = r.customers
    drifting = c[c["Segment"].isin(segments.AT_RISK_SEGMENTS)]
    row = r.group("at_risk")
    assert row["Customers"] == len(drifting)
    assert row["MedianRecency"] == drifting["Recency"].median()
    assert row["RevenueShare"] == pytest.approx(drifting["Monetary"].sum() / c["Monetary"].sum())
    assert r.group("all")["MedianRecency"] == c["Recency"].median()


def test_headline_speaks_plainly_and_fits_the_numbers(small):
    _, _, r, _ = small
    n = len(r.customers)
    assert r.headline.startswith(f"{n:,} customers bought by ")
    assert f"not ordered for {int(r.group('at_risk')['MedianRecency']):,} day" in r.headline
    assert f"Call the {len(r.high_value_at_risk):,} high spender" in r.headline
    assert "nan" not in r.headline.lower() and "1 orders" not in r.headline


def test_headline_sentences_apply_only_when_they_fit():
    groups = pd.DataFrame({
        "Customers": [10, 0, 0, 1], "CustomerShare": [1.0, 0.0, 0.0, 0.1], "Revenue": [100.0, 0.0, 0.0, 5.0],
        "RevenueShare": [1.0, 0.0, 0.0, 0.05], "MedianRecency": [10.0, np.nan, np.nan, 300.0],
        "RepeatShare": [0.5, np.nan, np.nan, 0.0]}, index=list(stage.GROUP_NAMES.values()))
    text = stage._headline("USD", pd.Timestamp("2020-01-31"), groups, pd.DataFrame({"Monetary": []}))
    assert "Champion" not in text
    assert "No customer is in the at-risk segments" in text
    assert "1 (10%) has gone quiet" in text and "none of them came back" in text


def test_migration_flows_and_order(small):
    _, out, r, _ = small
    assert r.migration["customers"].sum() == len(r.customers)
    assert r.migration_groups["customers"].sum() == len(r.customers)
    assert r.flow_order[0] == segments.NEW_SEGMENT and r.flow_order[-1] == segments.LAPSED_SEGMENT
    on_disk = pd.read_csv(out / "artifacts" / r.files["migration"])
    assert on_disk["customers"].sum() == len(r.customers)


def test_clusters_and_their_verdict(small):
    _, _, r, _ = small
    assert r.clusters.verdict == segments.silhouette_verdict(r.clusters.score)
    assert r.crosstab.to_numpy().sum() == len(r.customers)
    assert list(r.crosstab.index) == list(r.profile.index)
    assert r.cluster_profile["Customers"].sum() == len(r.customers)


def test_truth_check_on_generated_data(small):
    _, _, r, _ = small
    assert r.truth_check is not None and r.truth_check["customers"].sum() == len(r.customers)
    assert 0 <= r.truth_summary["watched_share"] <= 1


def test_rerun_reproduces_the_csv_artifacts_byte_for_byte(small):
    params, out, _, _ = small
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "artifacts").glob("*.csv")}
    stages.run("02_segmentation", str(params), out)
    again = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "artifacts").glob("*.csv")}
    assert again == digest


def test_ids_shown_are_pseudonymous_with_a_salt(tmp_path, monkeypatch):
    monkeypatch.setenv(SALT_ENV, "pepper")
    _, out, r, _ = _run(tmp_path)
    work = pd.read_parquet(out / catalog.PRODUCTS["segments.customers"].path)
    assert not set(r.explorer["CustomerID"]) & set(work["CustomerID"])
    hvar = pd.read_csv(out / "artifacts" / r.files["high_value_at_risk"], dtype={"CustomerID": "string"})
    assert set(hvar["CustomerID"]) == set(r.high_value_at_risk["CustomerID"])

