"""Tests for retention.roi: campaign economics, profit curve, sensitivity, Monte Carlo and validation."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from retention.roi import (
    CAMPAIGN_KEYS,
    SUMMARY_KEYS,
    Assumptions,
    Campaign,
    Offer,
    best_n,
    campaign_from_dict,
    campaign_summary,
    campaign_to_dict,
    campaigns_from_dicts,
    customer_economics,
    grid,
    monte_carlo,
    override,
    probability_of_loss,
    profit_curve,
    roi_table,
    scenario_table,
    scenarios_from_ranges,
    segment_economics,
    select_targets,
    standard_campaigns,
    tornado,
    what_if_grid,
)

EVERYONE = Campaign("Everyone", rule="churn_probability >= 0")


def frame(rows: dict[str, tuple[float, float]], **columns: list) -> pd.DataFrame:
    """Customers from {CustomerID: (churn_probability, expected_value)} plus optional extra columns."""
    table = pd.DataFrame(list(rows.values()), columns=["churn_probability", "expected_value"],
                         index=pd.Index(list(rows), name="CustomerID"))
    for name, values in columns.items():
        table[name] = values
    return table


@pytest.fixture
def two() -> pd.DataFrame:
    """A would-be churner (A) and a customer who would probably have stayed anyway (B)."""
    return frame({"A": (0.8, 100.0), "B": (0.1, 200.0)}, Segment=["Lost", "Champions"], risk_band=["High", "Low"],
                 Monetary=[10.0, 50.0])


@pytest.fixture
def offer() -> Offer:
    return Offer(discount=0.2, contact_cost=1.0, fixed_cost=0.0)


@pytest.fixture
def base() -> Assumptions:
    return Assumptions(uplift=0.5, redemption_rate=0.3, margin=0.4)


@pytest.fixture(scope="module")
def many() -> pd.DataFrame:
    """4,300 random customers with segments, bands and spend (seeded)."""
    rng = np.random.default_rng(3)
    n = 4300
    segments = np.array(["Champions", "At Risk", "Can't Lose Them", "Hibernating", "Lost", "Potential Loyalists",
                         "About To Sleep"])
    p = rng.beta(2, 3, n)
    return pd.DataFrame({
        "churn_probability": p,
        "expected_value": rng.gamma(2.0, 150.0, n),
        "Segment": rng.choice(segments, n),
        "risk_band": np.where(p < 0.3, "Low", np.where(p < 0.6, "Medium", "High")),
        "Monetary": rng.gamma(2.0, 400.0, n),
    }, index=pd.Index([f"C{i:05d}" for i in range(n)], name="CustomerID"))


# ---------------------------------------------------------------------------------------------------------
# Hand-computed economics
# ---------------------------------------------------------------------------------------------------------

def test_customer_economics_by_hand(two, offer, base):
    econ = customer_economics(two, offer, base)
    # A: p=0.8, v=100. saved = 0.8*0.5*100 = 40; margin 0.4*40 = 16; discount to saved 0.8*0.5*1*0.2*100 = 8;
    #    would have stayed anyway (0.2) and redeem (0.3): 0.2*0.3*0.2*100 = 1.2; contact 1 -> 16-8-1.2-1 = 5.8
    # B: p=0.1, v=200. saved = 0.1*0.5*200 = 10; margin 4; discount to saved 0.1*0.5*0.2*200 = 2;
    #    stayers 0.9*0.3*0.2*200 = 10.8; contact 1 -> 4-2-10.8-1 = -9.8
    expected = pd.DataFrame({
        "p_churn": [0.8, 0.1], "expected_value": [100.0, 200.0], "saved_value": [40.0, 10.0],
        "incremental_margin": [16.0, 4.0], "discount_cost_saved": [8.0, 2.0], "discount_cost_wasted": [1.2, 10.8],
        "contact_cost": [1.0, 1.0], "net_profit": [5.8, -9.8],
    }, index=pd.Index(["A", "B"], name="CustomerID"))
    pd.testing.assert_frame_equal(econ, expected, atol=1e-12)


def test_campaign_summary_by_hand(two, offer, base):
    s = campaign_summary(two, EVERYONE, offer, base)
    assert list(s) == list(SUMMARY_KEYS)
    assert s["targeted"] == 2
    assert s["expected_churners"] == pytest.approx(0.9)
    assert s["revenue_at_risk"] == pytest.approx(80.0 + 20.0)
    assert s["saved_customers"] == pytest.approx(0.45)
    assert s["saved_revenue"] == pytest.approx(50.0)
    assert s["incremental_margin"] == pytest.approx(20.0)
    assert s["discount_cost_saved"] == pytest.approx(10.0)
    assert s["discount_cost_wasted"] == pytest.approx(12.0)
    assert s["discount_cost"] == pytest.approx(22.0)
    assert s["contact_cost"] == pytest.approx(2.0)
    assert s["fixed_cost"] == 0.0
    assert s["total_cost"] == pytest.approx(24.0)
    assert s["net_profit"] == pytest.approx(-4.0)
    assert s["roi"] == pytest.approx(-4.0 / 24.0)
    # net = u * A - B with A = 100 * (0.4 - 0.2) = 20 and B = 12 + 2 -> break-even u = 0.7
    assert s["break_even_uplift"] == pytest.approx(0.7)


def test_fixed_cost_is_charged_once(two, base):
    with_fixed = campaign_summary(two, EVERYONE, Offer(0.2, 1.0, fixed_cost=30.0), base)
    assert with_fixed["fixed_cost"] == 30.0
    assert with_fixed["total_cost"] == pytest.approx(54.0)
    assert with_fixed["net_profit"] == pytest.approx(-34.0)
    assert with_fixed["break_even_uplift"] == pytest.approx(44.0 / 20.0)


def test_customer_who_would_not_churn_only_costs(offer, base):
    econ = customer_economics(frame({"S": (0.0, 500.0)}), offer, base).iloc[0]
    assert econ["saved_value"] == 0.0
    assert econ["incremental_margin"] == 0.0
    assert econ["discount_cost_saved"] == 0.0
    assert econ["discount_cost_wasted"] == pytest.approx(1.0 * 0.3 * 0.2 * 500.0)
    assert econ["net_profit"] == pytest.approx(-(30.0 + 1.0))
    assert econ["net_profit"] < 0


def test_adding_stayers_adds_cost_not_saved_revenue(two, offer, base):
    before = campaign_summary(two, EVERYONE, offer, base)
    more = pd.concat([two, frame({"Z": (0.0, 1000.0)}, Segment=["Champions"], risk_band=["Low"], Monetary=[1.0])])
    after = campaign_summary(more, EVERYONE, offer, base)
    assert after["saved_revenue"] == before["saved_revenue"]
    assert after["total_cost"] == pytest.approx(before["total_cost"] + 0.3 * 0.2 * 1000.0 + 1.0)


def test_summary_is_the_sum_of_customer_rows(many):
    offer, base = Offer(0.1, 0.7, 300.0), Assumptions(0.12, 0.25, 0.45, saved_redemption=0.8)
    campaign = Campaign("At risk", segments=("At Risk", "Can't Lose Them"))
    econ = customer_economics(select_targets(many, campaign), offer, base)
    s = campaign_summary(many, campaign, offer, base)
    assert s["targeted"] == len(econ)
    assert s["saved_revenue"] == pytest.approx(econ["saved_value"].sum())
    assert s["discount_cost_wasted"] == pytest.approx(econ["discount_cost_wasted"].sum())
    assert s["net_profit"] == pytest.approx(econ["net_profit"].sum() - 300.0)


def test_empty_target_list_gives_zeros_and_nan_roi(two, offer, base):
    s = campaign_summary(two, Campaign("Nobody", segments=("Hibernating",)), Offer(0.2, 1.0, 100.0), base)
    assert s["targeted"] == 0
    assert all(s[k] == 0.0 for k in SUMMARY_KEYS if k not in ("roi", "break_even_uplift"))
    assert math.isnan(s["roi"]) and math.isnan(s["break_even_uplift"])


def test_break_even_uplift_makes_net_profit_zero(many):
    offer, base = Offer(0.1, 2.0, 500.0), Assumptions(0.3, 0.2, 0.5)
    campaign = Campaign("Top", top_n=800)
    uplift = campaign_summary(many, campaign, offer, base)["break_even_uplift"]
    assert 0.0 < uplift < 1.0
    at_break_even = campaign_summary(many, campaign, offer, replace(base, uplift=uplift))
    assert at_break_even["net_profit"] == pytest.approx(0.0, abs=1e-6)
    above = campaign_summary(many, campaign, offer, replace(base, uplift=min(1.0, uplift + 0.01)))
    assert above["net_profit"] > 0


def test_break_even_is_infinite_when_the_discount_eats_the_margin(two, base):
    s = campaign_summary(two, EVERYONE, Offer(discount=0.5, contact_cost=1.0), base)
    assert s["break_even_uplift"] == math.inf


# ---------------------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------------------

def test_targets_are_ordered_by_expected_loss_then_id():
    customers = frame({"D": (0.5, 10.0), "B": (0.5, 20.0), "C": (1.0, 5.0), "A": (0.25, 20.0), "E": (0.9, 100.0)})
    targets = select_targets(customers, Campaign("All", top_n=10))
    assert list(targets.index) == ["E", "B", "A", "C", "D"]
    assert targets["expected_loss"].tolist() == [90.0, 10.0, 5.0, 5.0, 5.0]
    assert list(select_targets(customers, Campaign("Top", top_n=2)).index) == ["E", "B"]
    shuffled = customers.sample(frac=1.0, random_state=1)
    assert list(select_targets(shuffled, Campaign("All", top_n=10)).index) == list(targets.index)


def test_target_rules_combine(many):
    rule = select_targets(many, Campaign("Rule", rule="Monetary > 1000 and risk_band == 'High'"))
    assert len(rule) > 0 and (rule["Monetary"] > 1000).all() and (rule["risk_band"] == "High").all()
    assert len(rule) == int(((many["Monetary"] > 1000) & (many["risk_band"] == "High")).sum())
    bands = select_targets(many, Campaign("Bands", risk_bands=["High", "Medium"]))
    assert len(bands) == int(many["risk_band"].isin(["High", "Medium"]).sum())
    hv = select_targets(many, Campaign("HV", segments=("At Risk",), monetary_quantile=0.75))
    threshold = many["Monetary"].quantile(0.75)
    assert len(hv) == int(((many["Segment"] == "At Risk") & (many["Monetary"] >= threshold)).sum())
    top = select_targets(many, Campaign("HV top", segments=("At Risk",), monetary_quantile=0.75, top_n=25))
    assert list(top.index) == list(hv.index[:25])


def test_customer_id_column_is_used_as_index(two, offer, base):
    flat = two.reset_index()
    assert campaign_summary(flat, EVERYONE, offer, base) == campaign_summary(two, EVERYONE, offer, base)


# ---------------------------------------------------------------------------------------------------------
# Profit curve
# ---------------------------------------------------------------------------------------------------------

def test_profit_curve_known_optimum():
    # uplift 1, margin 1, no discount: each customer is worth p*v - contact (5): 10, 5, -3, -5; fixed 12.
    customers = frame({"w": (0.0, 50.0), "x": (1.0, 2.0), "y": (0.5, 20.0), "z": (1.0, 15.0)})
    offer = Offer(discount=0.0, contact_cost=5.0, fixed_cost=12.0)
    base = Assumptions(uplift=1.0, redemption_rate=0.0, margin=1.0)
    curve = profit_curve(customers, offer, base)
    assert curve["N"].tolist() == [0, 1, 2, 3, 4]
    assert curve["CustomerID"].tolist()[1:] == ["z", "y", "x", "w"]
    assert curve["net_profit"].tolist() == pytest.approx([0.0, 10.0, 5.0, -3.0, -5.0])
    assert curve["cumulative_net_profit"].tolist() == pytest.approx([0.0, -2.0, 3.0, 0.0, -5.0])
    assert best_n(curve) == (2, pytest.approx(3.0))


def test_best_n_is_zero_when_nothing_pays(two, base):
    curve = profit_curve(two, Offer(discount=0.5, contact_cost=1.0), base)
    assert best_n(curve) == (0, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Sensitivity
# ---------------------------------------------------------------------------------------------------------

def test_what_if_grid_matches_campaign_summary(many):
    offer, base = Offer(0.1, 1.5, 400.0), Assumptions(0.1, 0.2, 0.45)
    discounts, top_ns, uplifts = [0.0, 0.1, 0.25], [0, 1, 100, 2000, 5000], [0.05, 0.2, 0.6]
    table = what_if_grid(many, offer, base, discounts, top_ns, uplifts)
    assert len(table) == 3 * 5 * 3
    assert table[["discount", "top_n", "uplift"]].drop_duplicates().shape[0] == len(table)
    for d, n, u in [(0.1, 100, 0.2), (0.25, 2000, 0.05), (0.0, 1, 0.6), (0.1, 5000, 0.6), (0.25, 0, 0.2)]:
        row = table[(table["discount"] == d) & (table["top_n"] == n) & (table["uplift"] == u)].iloc[0]
        s = campaign_summary(many, Campaign("Top", top_n=n), replace(offer, discount=d), replace(base, uplift=u))
        assert row["targeted"] == s["targeted"] == min(n, len(many))
        assert row["net_profit"] == pytest.approx(s["net_profit"], rel=1e-9, abs=1e-6)
        assert row["roi"] == pytest.approx(s["roi"], rel=1e-9, nan_ok=True)


def test_what_if_grid_is_fast(many):
    start = time.perf_counter()
    table = what_if_grid(many, Offer(0.1, 1.0, 100.0), Assumptions(0.1, 0.2, 0.4), np.linspace(0, 0.3, 10),
                         np.linspace(0, 4300, 20).astype(int), np.linspace(0, 0.5, 10))
    assert len(table) == 2000
    assert time.perf_counter() - start < 1.0


def test_grid_matches_campaign_summary(many):
    campaign = Campaign("Lapsed", segments=("Hibernating", "Lost"), offer=Offer(0.1, 1.0, 50.0),
                        assumptions=Assumptions(0.1, 0.2, 0.4))
    table = grid(many, campaign, None, None, [0.05, 0.3], [0.1, 0.4, 0.9])
    assert table[["discount", "uplift"]].values.tolist() == [[0.05, 0.1], [0.05, 0.4], [0.05, 0.9],
                                                              [0.3, 0.1], [0.3, 0.4], [0.3, 0.9]]
    s = campaign_summary(many, campaign, Offer(0.3, 1.0, 50.0), Assumptions(0.4, 0.2, 0.4))
    assert table["net_profit"].iloc[4] == pytest.approx(s["net_profit"])
    assert table["roi"].iloc[4] == pytest.approx(s["roi"])


def test_tornado_values_and_order(many):
    offer, base = Offer(0.15, 1.0, 200.0), Assumptions(0.1, 0.3, 0.4)
    campaign = Campaign("Top", top_n=1000)
    ranges = {"uplift": (0.05, 0.2), "redemption_rate": (0.1, 0.5), "contact_cost": (0.5, 1.5),
              "margin": (0.35, 0.45)}
    table = tornado(many, campaign, offer, base, ranges)
    assert sorted(table["parameter"]) == sorted(ranges)
    assert table["swing"].is_monotonic_decreasing
    row = table.set_index("parameter").loc["redemption_rate"]
    low = campaign_summary(many, campaign, offer, replace(base, redemption_rate=0.1))["net_profit"]
    high = campaign_summary(many, campaign, offer, replace(base, redemption_rate=0.5))["net_profit"]
    assert (row["net_profit_low"], row["net_profit_high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["swing"] == pytest.approx(abs(high - low))
    base_net = campaign_summary(many, campaign, offer, base)["net_profit"]
    assert table["base_net_profit"].iloc[0] == pytest.approx(base_net)


def test_scenarios_are_ordered(many):
    offer, base = Offer(0.15, 1.0, 200.0), Assumptions(0.1, 0.3, 0.4)
    scenarios = scenarios_from_ranges({"uplift": (0.05, 0.2), "redemption_rate": (0.1, 0.5), "discount": (0.1, 0.2)})
    assert scenarios["pessimistic"] == {"uplift": 0.05, "redemption_rate": 0.5, "discount": 0.2}
    table = scenario_table(many, Campaign("Top", top_n=1000), scenarios, offer, base)
    assert list(table.index) == ["pessimistic", "base", "optimistic"]
    net = table["net_profit"]
    assert net["pessimistic"] < net["base"] < net["optimistic"]
    assert table.loc["base", "uplift"] == 0.1 and table.loc["optimistic", "redemption_rate"] == 0.1
    assert table.loc["base", "offer_contact_cost"] == 1.0 and table.loc["base", "contact_cost"] == 1000.0


def test_monte_carlo_is_seeded(many):
    campaign = Campaign("Top", top_n=500, offer=Offer(0.1, 1.0, 100.0), assumptions=Assumptions(0.1, 0.3, 0.4))
    ranges = {"uplift": (0.02, 0.2), "margin": (0.3, 0.5)}
    a = monte_carlo(many, campaign, None, ranges, n_draws=2000, seed=1)
    b = monte_carlo(many, campaign, None, ranges, n_draws=2000, seed=1)
    c = monte_carlo(many, campaign, None, ranges, n_draws=2000, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["uplift"], c["uplift"])
    assert list(a.columns) == ["uplift", "margin", "net_profit", "total_cost", "roi"]
    assert a["uplift"].between(0.02, 0.2).all() and a["margin"].between(0.3, 0.5).all()
    one = a.iloc[7]
    s = campaign_summary(many, campaign, None, replace(campaign.assumptions, uplift=one["uplift"],
                                                      margin=one["margin"]))
    assert one["net_profit"] == pytest.approx(s["net_profit"])
    assert 0.0 < probability_of_loss(a) < 1.0
    assert probability_of_loss(a) == pytest.approx((a["net_profit"] < 0).mean())


def test_monte_carlo_triangular_uses_base_as_mode(many):
    campaign = Campaign("Top", top_n=500, offer=Offer(0.1, 1.0, 100.0), assumptions=Assumptions(0.1, 0.3, 0.4))
    draws = monte_carlo(many, campaign, None, {"uplift": (0.0, 0.5)}, n_draws=4000, distribution="triangular")
    assert draws["uplift"].between(0.0, 0.5).all()
    assert draws["uplift"].mean() == pytest.approx((0.0 + 0.1 + 0.5) / 3, abs=0.01)
    with pytest.raises(ValueError, match="mode"):
        monte_carlo(many, campaign, None, {"uplift": (0.2, 0.5)}, distribution="triangular")


def test_probability_of_loss_extremes():
    churners = frame({"A": (1.0, 1000.0), "B": (0.9, 800.0)})
    stayers = frame({"A": (0.0, 1000.0), "B": (0.0, 800.0)})
    ranges = {"uplift": (0.3, 0.9), "margin": (0.5, 0.6), "redemption_rate": (0.0, 1.0)}
    campaign = Campaign("All", top_n=2, offer=Offer(0.1, 1.0), assumptions=Assumptions(0.5, 0.3, 0.5))
    assert probability_of_loss(monte_carlo(churners, campaign, None, ranges, n_draws=1000)) == 0.0
    assert probability_of_loss(monte_carlo(stayers, campaign, None, ranges, n_draws=1000)) == 1.0
    assert probability_of_loss([0.0, -0.01, 5.0]) == pytest.approx(1 / 3)  # breaking even is not a loss


# ---------------------------------------------------------------------------------------------------------
# Tables and campaign definitions
# ---------------------------------------------------------------------------------------------------------

def test_segment_economics_matches_single_segment_campaigns(many):
    offer, base = Offer(0.1, 1.0, 150.0), Assumptions(0.1, 0.3, 0.4)
    table = segment_economics(many, offer, base)
    assert list(table.index[:2]) == ["Champions", "Potential Loyalists"]
    assert table["customers"].sum() == len(many)
    for segment in ("Lost", "Can't Lose Them"):
        s = campaign_summary(many, Campaign(segment, segments=(segment,)), offer, base)
        assert table.loc[segment, "net_profit"] == pytest.approx(s["net_profit"])
        assert table.loc[segment, "roi"] == pytest.approx(s["roi"])
        assert table.loc[segment, "revenue_at_risk"] == pytest.approx(s["revenue_at_risk"])


def test_roi_table_uses_each_campaigns_own_offer(many):
    campaigns = standard_campaigns()
    table = roi_table(many, campaigns)
    assert list(table.index) == ["Win-back", "Protect", "Nurture", "High-value at risk"]
    protect = campaigns[1]
    s = campaign_summary(many, protect)
    assert table.loc["Protect", "net_profit"] == pytest.approx(s["net_profit"])
    assert table.loc["Protect", "offer_contact_cost"] == 5.0
    assert table.loc["Protect", "targeted"] == int((many["Segment"] == "Can't Lose Them").sum())
    bare = Campaign("Bare", top_n=10)
    with pytest.raises(ValueError, match="has no offer"):
        roi_table(many, [bare])
    shared = roi_table(many, [bare], Offer(0.1), Assumptions(0.1, 0.2, 0.4))
    assert shared.loc["Bare", "targeted"] == 10


def test_campaign_dict_round_trip():
    data = {"name": "Win-back", "segments": ["Hibernating", "Lost"], "discount": 0.15, "contact_cost": 1.0,
            "uplift": 0.1, "redemption_rate": 0.2, "margin": 0.4}
    campaign = campaign_from_dict(data)
    assert campaign.segments == ("Hibernating", "Lost")
    assert campaign.offer == Offer(0.15, 1.0, 0.0)
    assert campaign.assumptions == Assumptions(0.1, 0.2, 0.4)
    assert campaign_from_dict(campaign_to_dict(campaign)) == campaign
    assert set(campaign_to_dict(campaign)) <= set(CAMPAIGN_KEYS)
    only_targets = campaign_from_dict({"name": "Top", "top_n": 50}, defaults={"margin": 0.4, "uplift": 0.1,
                                                                           "redemption_rate": 0.3})
    assert only_targets.offer is None and only_targets.assumptions.margin == 0.4


def test_standard_campaigns_take_params():
    default = standard_campaigns()
    assert [c.name for c in default] == ["Win-back", "Protect", "Nurture", "High-value at risk"]
    assert default[0].segments == ("Hibernating", "Lost")
    assert default[3].monetary_quantile == 0.75
    custom = standard_campaigns({"defaults": {"margin": 0.55},
                                 "high_value_at_risk": {"monetary_quantile": None, "top_n": 200}})
    assert all(c.assumptions.margin == 0.55 for c in custom)
    assert custom[3].top_n == 200 and custom[3].monetary_quantile is None
    with pytest.raises(ValueError, match=r"unknown key\(s\): 'winback' \(did you mean 'win_back'\?\)"):
        standard_campaigns({"winback": {}})


# ---------------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------------

def test_out_of_range_assumptions_and_offers():
    with pytest.raises(ValueError, match=r"uplift must be between 0 and 1 .*got 1\.5"):
        Assumptions(uplift=1.5, redemption_rate=0.3, margin=0.4)
    with pytest.raises(ValueError, match=r"discount must be between 0 and 1 .*got -0\.1"):
        Offer(discount=-0.1)
    with pytest.raises(ValueError, match="contact_cost must be zero or more"):
        Offer(discount=0.1, contact_cost=-1.0)
    with pytest.raises(ValueError, match="margin must be a number"):
        Assumptions(uplift=0.1, redemption_rate=0.3, margin="40%")
    with pytest.raises(ValueError, match="unknown parameter"):
        override(Offer(0.1), Assumptions(0.1, 0.2, 0.3), {"uplfit": 0.2})


def test_customer_table_errors(two, offer, base):
    with pytest.raises(ValueError, match=r"missing column\(s\) 'expected_value'"):
        campaign_summary(two.drop(columns="expected_value"), EVERYONE, offer, base)
    with pytest.raises(ValueError, match=r"missing column\(s\) 'risk_band'"):
        select_targets(two.drop(columns="risk_band"), Campaign("High", risk_bands=("High",)))
    duplicated = pd.concat([two, two.iloc[[0]]])
    with pytest.raises(ValueError, match=r"1 duplicate CustomerID\(s\): 'A'"):
        campaign_summary(duplicated, EVERYONE, offer, base)
    bad = two.assign(churn_probability=[0.5, 1.2])
    with pytest.raises(ValueError, match="churn_probability must be between 0 and 1.*'B'"):
        customer_economics(bad, offer, base)


def test_unknown_segment_names_the_known_ones(two, offer, base):
    with pytest.raises(ValueError, match=r"unknown segment\(s\): 'Hibernatng' \(did you mean 'Hibernating'\?\)"
                                         r".*Known: Champions, .*Lost"):
        select_targets(two, Campaign("Typo", segments=("Hibernatng",)))
    with pytest.raises(ValueError, match=r"unknown risk band\(s\): 'Severe'"):
        select_targets(two, Campaign("Typo", risk_bands=("Severe",)))


def test_campaign_definition_errors(two, offer, base):
    with pytest.raises(ValueError, match="has no target rule"):
        Campaign("Nothing")
    with pytest.raises(ValueError, match=r"unknown key\(s\): 'segment' \(did you mean 'segments'\?\)"):
        campaign_from_dict({"name": "X", "segment": ["Lost"]})
    with pytest.raises(ValueError, match="Assumptions also needs redemption_rate, margin"):
        campaign_from_dict({"name": "X", "top_n": 5, "uplift": 0.1})
    with pytest.raises(ValueError, match="needs a 'name'"):
        campaign_from_dict({"top_n": 5})
    with pytest.raises(ValueError, match="repeated: 'X'"):
        campaigns_from_dicts([{"name": "X", "top_n": 1}, {"name": "X", "top_n": 2}])
    with pytest.raises(ValueError, match="has no offer"):
        campaign_summary(two, EVERYONE, None, base)
    with pytest.raises(ValueError, match="could not be evaluated"):
        select_targets(two, Campaign("Bad", rule="NoSuchColumn > 3"))
    with pytest.raises(ValueError, match="True/False condition"):
        select_targets(two, Campaign("Bad", rule="Monetary * 2"))


def test_range_errors(two, offer, base):
    with pytest.raises(ValueError, match=r"unknown parameter\(s\): 'uplfit'"):
        tornado(two, EVERYONE, offer, base, {"uplfit": (0.1, 0.2)})
    with pytest.raises(ValueError, match="low <= high"):
        monte_carlo(two, EVERYONE, offer, {"uplift": (0.4, 0.2)}, assumptions=base)
    with pytest.raises(ValueError, match="uplift must be between 0 and 1"):
        monte_carlo(two, EVERYONE, offer, {"uplift": (0.4, 1.2)}, assumptions=base)
    with pytest.raises(ValueError, match="discount must be between 0 and 1"):
        what_if_grid(two, offer, base, [0.1, 1.1], [1], [0.1])
