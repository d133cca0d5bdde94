import pandas as pd
import pytest

from retention import kpis


@pytest.fixture
def tx(lines):
    # Period = 30 days ending 2011-03-31: (Mar 1, Mar 31]; before: (Jan 30, Mar 1];
    # before that: (Dec 31, Jan 30].
    return lines([
        ("1", "A", 1, "2011-01-10", 1.0, "a"), ("2", "A", 1, "2011-02-10", 1.0, "a"),
        ("3", "A", 1, "2011-03-10", 1.0, "a"),
        ("4", "A", 1, "2011-01-15", 1.0, "b"), ("5", "A", 1, "2011-02-15", 1.0, "b"),
        ("6", "A", 1, "2011-02-20", 1.0, "c"),
        ("7", "A", 1, "2011-03-31", 1.0, "d"),
    ])


def test_active_customers_and_retention(tx):
    end = pd.Timestamp("2011-03-31")
    assert kpis.active_customers(tx, end, 30) == 2  # a and d
    # Active in (Jan 30, Mar 1]: a, b, c; of those only a bought again in (Mar 1, Mar 31].
    assert kpis.retention_rate(tx, end, 30) == pytest.approx(1 / 3)
    k = kpis.activity_kpis(tx, end, 30)
    assert k["active"].previous == 3
    # Previous retention: active in (Dec 31, Jan 30] = a, b; both bought in (Jan 30, Mar 1].
    assert k["retention"].previous == 1.0
    assert k["retention"].change == pytest.approx(1 / 3 - 1)


def test_change_text_and_exposure():
    up = kpis.Kpi("At-risk customers", 120, 100, "")
    assert kpis.change_text(up, str, higher_is_better=False) == "up 20.0% from 100 (worse)"
    assert kpis.change_text(kpis.Kpi("x", 5, 5, ""), str) == "unchanged from 5"
    customers = pd.DataFrame({"Segment": ["A", "A", "B"], "revenue_at_risk": [10.0, 30.0, 60.0]})
    table = kpis.exposure_by(customers, "Segment")
    assert table["Segment"].tolist() == ["B", "A"] and table["share"].tolist() == [0.6, 0.4]


def test_recommended_actions_follow_the_numbers():
    roi_summary = {"best_campaign": "Protect", "best_targets": 176, "best_net_profit": 3285.0, "best_roi": 0.2,
                   "best_break_even_uplift": 0.109, "chosen_campaign": "High-value at risk",
                   "chosen_net_pessimistic": -29272.0, "chosen_p_loss": 0.44}
    segments = pd.DataFrame({"Segment": ["Champions"], "customers": [897], "revenue_at_risk": [861000.0],
                             "share": [0.28]})
    actions = kpis.recommended_actions(roi_summary, segments, 513, lambda v: f"£{v:,.0f}")
    assert len(actions) == 3
    assert actions[0].startswith("Run the Protect campaign on its 176 customers: £3,285")
    assert "10.9%" in actions[0] and "Champions" in actions[1] and "513" in actions[1] and "44%" in actions[2]
    losing = {**roi_summary, "best_net_profit": -10.0}
    assert kpis.recommended_actions(losing, segments, 0, str)[0].startswith("Do not run a discount campaign yet")
