"""Tests for retention.decisions.kpis: the headline KPIs over one definition now and one horizon earlier."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from retention import decisions as dc


@pytest.fixture
def tx(lines):
    # as_of 2011-03-31, horizon 30 days, base window 60 days.
    # earlier = 2011-03-01: base then = last purchase in (2010-12-31, 2011-03-01] -> a, b, c (d only buys later,
    # e last bought in 2010). Of those, bought in (Mar 1, Mar 31]: a only -> retention 1/3.
    # earlier-earlier = 2011-01-30: base = last purchase up to Jan 30 in (2010-12-01, 2011-01-30] -> a, b;
    # both bought in (Jan 30, Mar 1] -> previous retention 1.
    return lines([
        ("1", "A", 1, "2011-01-10", 1.0, "a"), ("2", "A", 1, "2011-02-10", 1.0, "a"),
        ("3", "A", 1, "2011-03-10", 1.0, "a"),
        ("4", "A", 1, "2011-01-15", 1.0, "b"), ("5", "A", 1, "2011-02-15", 1.0, "b"),
        ("6", "A", 1, "2011-02-20", 1.0, "c"),
        ("7", "A", 1, "2011-03-31", 1.0, "d"),
        ("8", "A", 1, "2010-11-20", 1.0, "e"),
    ])


def frame_for(tx, as_of, probabilities, revenue=100.0):
    customers = dc.last_purchases(tx, as_of).to_frame()
    churn = pd.DataFrame({"churn_probability": [probabilities[i] for i in customers.index]}, index=customers.index)
    values = pd.DataFrame({"expected_revenue_if_alive": revenue, "expected_order_value": 10.0}, index=customers.index)
    return dc.decision_frame(customers, churn, values, as_of=as_of, base_window_days=60, at_risk_threshold=0.5,
                             margin=0.5)


def test_retention_rate_over_the_base(tx):
    assert dc.retention_rate(tx, "2011-03-31", base_window_days=60, horizon_days=30) == pytest.approx(1 / 3)
    assert dc.retention_rate(tx, "2011-03-01", base_window_days=60, horizon_days=30) == 1.0
    assert math.isnan(dc.retention_rate(tx, "2010-10-01", base_window_days=60, horizon_days=30))


def test_headline_kpis_compare_like_with_like(tx):
    now = frame_for(tx, "2011-03-31", {"a": 0.2, "b": 0.9, "c": 0.6, "d": 0.1, "e": 0.99})
    before = frame_for(tx, "2011-03-01", {"a": 0.6, "b": 0.3, "c": 0.2, "e": 0.99})
    kpis = {k.key: k for k in dc.headline_kpis(now, before, tx, as_of="2011-03-31", horizon_days=30,
                                               base_window_days=60, at_risk_threshold=0.5, horizon_months=12)}
    assert list(kpis) == list(dc.KPI_KEYS)
    # now: base = a, b, c, d (e lapsed); at risk = b, c; expected loss = 0.5*100*(0.2+0.9+0.6+0.1)
    assert (kpis["base"].current, kpis["at_risk"].current) == (4, 2)
    assert kpis["at_risk_share"].current == 0.5
    assert kpis["expected_loss"].current == pytest.approx(90.0)
    # before: base = a, b, c; at risk = a -> share 1/3; loss 0.5*100*(0.6+0.3+0.2)
    assert (kpis["base"].previous, kpis["at_risk"].previous) == (3, 1)
    assert kpis["expected_loss"].previous == pytest.approx(55.0)
    assert kpis["at_risk"].verdict == "worse" and kpis["base"].verdict == "better"
    assert kpis["at_risk_share"].verdict == "worse" and kpis["retention_rate"].verdict == "worse"
    assert kpis["expected_loss"].unit == "money" and kpis["at_risk_share"].unit == "share"


def test_kpis_document_follows_c6(tmp_path, tx):
    now = frame_for(tx, "2011-03-31", {"a": 0.2, "b": 0.9, "c": 0.6, "d": 0.1, "e": 0.99})
    kpis = dc.headline_kpis(now, now, tx, as_of="2011-03-31", horizon_days=30, base_window_days=60,
                            at_risk_threshold=0.5, horizon_months=12)
    doc = dc.kpis_document(kpis, as_of="2011-03-31", previous_as_of="2011-03-01", currency="GBP", period_days=30)
    assert list(doc) == ["as_of", "previous_as_of", "currency", "period_days", "kpis"]
    assert doc["as_of"] == "2011-03-31" and doc["previous_as_of"] == "2011-03-01"
    for entry in doc["kpis"]:
        assert {"key", "name", "current", "previous", "unit", "higher_is_better", "definition"} <= set(entry)
        assert entry["unit"] in ("count", "share", "money")
    path = dc.write_json(doc, tmp_path / "kpis.json")
    assert json.loads(path.read_text()) == dc.json_ready(doc)
    with pytest.raises(ValueError, match="missing retention_rate"):
        dc.kpis_document(kpis[:4], as_of="2011-03-31", previous_as_of="2011-03-01", currency="GBP", period_days=30)


def test_change_text_and_verdicts():
    up = dc.Kpi("at_risk", "At-risk customers", 120, 100, "count", False, "")
    assert dc.change_text(up, str) == "up 20.0% from 100 (worse)"
    assert dc.change_text(dc.Kpi("base", "x", 5, 5, "count", True, ""), str) == "unchanged from 5"
    missing = dc.Kpi("retention_rate", "x", 0.5, float("nan"), "share", True, "")
    assert missing.verdict is None and dc.change_text(missing, str) == "no previous period to compare"
    assert missing.as_dict()["previous"] is None


def test_json_writer_turns_nan_and_numpy_into_plain_json(tmp_path):
    import numpy as np

    doc = {"a": float("nan"), "b": [np.float64(1.5), np.int64(3), float("inf")], "c": {"d": np.bool_(True)}}
    text = dc.write_json(doc, tmp_path / "x.json").read_text()
    assert json.loads(text) == {"a": None, "b": [1.5, 3, None], "c": {"d": True}}
