"""Tests for retention.roi: offer cost models, economics by hand, targeting registry, campaigns, sensitivity."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from retention import roi
from retention.roi import (
    CAMPAIGN_KEYS,
    SUMMARY_KEYS,
    TARGET_RULES,
    Assumptions,
    Campaign,
    Offer,
    TargetRule,
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
    profit_maximising_campaign,
    register_target_rule,
    roi_table,
    scenario_table,
    scenarios_from_ranges,
    segment_economics,
    select_targets,
    standard_campaigns,
    tornado,
    what_if_grid,
)
from retention.roi.economics import Pool, totals
from retention.roi.offers import parameter_values

EVERYONE = Campaign("Everyone", rules={"rule": "churn_probability >= 0"})


def frame(rows: dict[str, tuple[float, float, float]], **columns: list) -> pd.DataFrame:
    """Customers from {CustomerID: (churn_probability, expected_revenue_if_alive, expected_order_value)}."""
    table = pd.DataFrame(list(rows.values()), columns=["churn_probability", "expected_revenue_if_alive",
                                                       "expected_order_value"],
                         index=pd.Index(list(rows), name="CustomerID"))
    for name, values in columns.items():
        table[name] = values
    return table


@pytest.fixture
def two() -> pd.DataFrame:
    """A would-be churner (A) and a customer who would probably have stayed anyway (B)."""
    return frame({"A": (0.8, 100.0, 40.0), "B": (0.1, 200.0, 50.0)}, Segment=["Lost", "Champions"],
                 risk_band=["High", "Low"], Monetary=[10.0, 50.0], in_base=[True, True], at_risk=[True, False],
                 expected_revenue_if_alive_3m=[30.0, 60.0])


@pytest.fixture
def offer() -> Offer:
    return Offer(discount=0.2, contact_cost=1.0, fixed_cost=0.0)


@pytest.fixture
def base() -> Assumptions:
    return Assumptions(uplift=0.5, redemption_rate=0.3, margin=0.4)


@pytest.fixture(scope="module")
def many() -> pd.DataFrame:
    """4,300 random customers with segments, bands, spend and base membership (seeded)."""
    rng = np.random.default_rng(3)
    n = 4300
    segments = np.array(["Champions", "At Risk", "Can't Lose Them", "Hibernating", "Lost", "Potential Loyalists",
                         "About To Sleep"])
    p = rng.beta(2, 3, n)
    order = rng.gamma(2.0, 40.0, n)
    revenue = order * rng.gamma(2.0, 2.0, n)
    in_base = rng.random(n) < 0.75
    return pd.DataFrame({
        "churn_probability": p, "expected_revenue_if_alive": revenue, "expected_order_value": order,
        "expected_revenue_if_alive_3m": revenue * 0.3,
        "Segment": rng.choice(segments, n), "risk_band": np.where(p < 0.3, "Low", np.where(p < 0.6, "Medium", "High")),
        "Monetary": rng.gamma(2.0, 400.0, n), "in_base": in_base, "at_risk": in_base & (p >= 0.5),
    }, index=pd.Index([f"C{i:05d}" for i in range(n)], name="CustomerID"))


# ---------------------------------------------------------------------------------------------------------
# Offer cost models and hand-computed economics
# ---------------------------------------------------------------------------------------------------------

def test_customer_economics_by_hand_next_order(two, offer, base):
    econ = customer_economics(two, offer, base)
    # A: p=0.8, R=100, B=40 (next order). value at stake 0.4*100 = 40; expected loss 32; saved revenue
    #    0.8*0.5*100 = 40, margin 16; discount to saved 0.8*0.5*1*0.2*40 = 3.2; stayers 0.2*0.3*0.2*40 = 0.48;
    #    contact 1 -> 16 - 3.2 - 0.48 - 1 = 11.32
    # B: p=0.1, R=200, B=50. value at stake 80; loss 8; saved revenue 10, margin 4; saved discount
    #    0.1*0.5*0.2*50 = 0.5; stayers 0.9*0.3*0.2*50 = 2.7; contact 1 -> 4 - 0.5 - 2.7 - 1 = -0.2
    expected = pd.DataFrame({
        "p_churn": [0.8, 0.1], "value_at_stake": [40.0, 80.0], "expected_loss": [32.0, 8.0],
        "saved_customers": [0.4, 0.05], "saved_revenue": [40.0, 10.0], "incremental_margin": [16.0, 4.0],
        "discount_cost_saved": [3.2, 0.5], "discount_cost_wasted": [0.48, 2.7], "contact_cost": [1.0, 1.0],
        "net_profit": [11.32, -0.2],
    }, index=pd.Index(["A", "B"], name="CustomerID"))
    pd.testing.assert_frame_equal(econ, expected, atol=1e-12)


def test_all_orders_offer_charges_the_discount_on_the_offer_window(two, base):
    offer = Offer(discount=0.2, contact_cost=1.0, offer_type="all_orders", offer_months=3)
    econ = customer_economics(two, offer, base)
    # A: B = 30 (3 months): saved discount 0.8*0.5*0.2*30 = 2.4, stayers 0.2*0.3*0.2*30 = 0.36 -> 16-2.4-0.36-1
    assert econ.loc["A", "discount_cost_saved"] == pytest.approx(2.4)
    assert econ.loc["A", "discount_cost_wasted"] == pytest.approx(0.36)
    assert econ.loc["A", "net_profit"] == pytest.approx(12.24)
    assert "3 months" in offer.cost_model() and "next order" in Offer(0.15).cost_model()


def test_offer_cost_model_validation():
    with pytest.raises(ValueError, match="needs offer_months"):
        Offer(0.1, offer_type="all_orders")
    with pytest.raises(ValueError, match=r"unknown offer type: 'al_orders' \(did you mean 'all_orders'\?\)"):
        Offer(0.1, offer_type="al_orders")
    assert Offer(0.1, offer_months=3).offer_months is None  # next order: a duration means nothing
    with pytest.raises(ValueError, match=r"expected_revenue_if_alive_6m"):
        customer_economics(frame({"A": (0.5, 10.0, 5.0)}), Offer(0.1, offer_type="all_orders", offer_months=6),
                           Assumptions(0.1, 0.1, 0.4))


def test_campaign_summary_by_hand(two, offer, base):
    s = campaign_summary(two, EVERYONE, offer, base)
    assert list(s) == list(SUMMARY_KEYS)
    assert s["targeted"] == 2
    assert s["expected_churners"] == pytest.approx(0.9)
    assert s["value_at_stake"] == pytest.approx(120.0)
    assert s["expected_loss"] == pytest.approx(40.0)
    assert s["saved_customers"] == pytest.approx(0.45)
    assert s["saved_revenue"] == pytest.approx(50.0)
    assert s["incremental_margin"] == pytest.approx(20.0)
    assert s["discount_cost_saved"] == pytest.approx(3.7)
    assert s["discount_cost_wasted"] == pytest.approx(3.18)
    assert s["contact_cost"] == pytest.approx(2.0)
    assert s["total_cost"] == pytest.approx(8.88)
    assert s["net_profit"] == pytest.approx(11.12)
    assert s["roi"] == pytest.approx(11.12 / 8.88)
    # net = u * A - C with A = 0.4*(80+20) - 0.2*(32+5) = 32.6 and C = 3.18 + 2 -> break-even u = 5.18 / 32.6
    assert s["break_even_uplift"] == pytest.approx(5.18 / 32.6)


def test_fixed_cost_is_charged_once_and_not_for_an_empty_campaign(two, base):
    with_fixed = campaign_summary(two, EVERYONE, Offer(0.2, 1.0, fixed_cost=30.0), base)
    assert with_fixed["fixed_cost"] == 30.0 and with_fixed["net_profit"] == pytest.approx(11.12 - 30.0)
    nobody = campaign_summary(two, Campaign("Nobody", rules={"segments": ["Hibernating"]}), Offer(0.2, 1.0, 100.0),
                              base)
    assert nobody["targeted"] == 0
    assert all(nobody[k] == 0.0 for k in SUMMARY_KEYS if k not in ("roi", "break_even_uplift"))
    assert math.isnan(nobody["roi"]) and math.isnan(nobody["break_even_uplift"])


def test_customer_who_would_not_churn_only_costs(offer, base):
    econ = customer_economics(frame({"S": (0.0, 500.0, 100.0)}), offer, base).iloc[0]
    assert econ["saved_revenue"] == 0.0 and econ["discount_cost_saved"] == 0.0
    assert econ["net_profit"] == pytest.approx(-(0.3 * 0.2 * 100.0 + 1.0))


def test_summary_is_the_sum_of_customer_rows(many):
    offer, base = Offer(0.1, 0.7, 300.0), Assumptions(0.12, 0.25, 0.45, saved_redemption=0.8)
    campaign = Campaign("At risk", rules={"segments": ("At Risk", "Can't Lose Them")})
    econ = customer_economics(select_targets(many, campaign, offer, base), offer, base)
    s = campaign_summary(many, campaign, offer, base)
    assert s["targeted"] == len(econ)
    assert s["expected_loss"] == pytest.approx(econ["expected_loss"].sum())
    assert s["discount_cost_wasted"] == pytest.approx(econ["discount_cost_wasted"].sum())
    assert s["net_profit"] == pytest.approx(econ["net_profit"].sum() - 300.0)


def test_break_even_uplift_makes_net_profit_zero(many):
    offer, base = Offer(0.1, 2.0, 500.0), Assumptions(0.3, 0.2, 0.5)
    campaign = Campaign("Top", top_n=800)
    uplift = campaign_summary(many, campaign, offer, base)["break_even_uplift"]
    assert 0.0 < uplift < 1.0
    at_break_even = campaign_summary(many, campaign, offer, replace(base, uplift=uplift))
    assert at_break_even["net_profit"] == pytest.approx(0.0, abs=1e-6)


def test_break_even_is_infinite_when_the_discount_eats_the_margin(base):
    # saved customers' margin 0.4 * R = 40 is below the discount on all their revenue, 1.0 * 50: no uplift pays
    customers = frame({"A": (0.8, 100.0, 50.0)}, expected_revenue_if_alive_3m=[100.0])
    offer = Offer(discount=1.0, contact_cost=1.0, offer_type="all_orders", offer_months=3)
    assert campaign_summary(customers, EVERYONE, offer, base)["break_even_uplift"] == math.inf


# ---------------------------------------------------------------------------------------------------------
# Targeting registry and rankings
# ---------------------------------------------------------------------------------------------------------

def test_targets_are_ordered_by_the_ranking_then_id(offer, base):
    customers = frame({"D": (0.5, 10.0, 1.0), "B": (0.5, 20.0, 1.0), "C": (1.0, 5.0, 1.0), "A": (0.25, 20.0, 1.0),
                       "E": (0.9, 100.0, 1.0)})
    targets = select_targets(customers, Campaign("All", top_n=10), offer, base)
    assert list(targets.index) == ["E", "B", "A", "C", "D"]  # expected loss 36, 4, 2, 2, 2
    by_churn = select_targets(customers, Campaign("All", top_n=2, rank_by="churn_probability"), offer, base)
    assert list(by_churn.index) == ["C", "E"]
    shuffled = customers.sample(frac=1.0, random_state=1)
    assert list(select_targets(shuffled, Campaign("All", top_n=10), offer, base).index) == list(targets.index)


def test_target_rules_combine(many):
    offer, base = Offer(0.1), Assumptions(0.1, 0.2, 0.4)
    rule = select_targets(many, Campaign("Rule", rules={"rule": "Monetary > 1000 and risk_band == 'High'"}), offer,
                          base)
    assert len(rule) == int(((many["Monetary"] > 1000) & (many["risk_band"] == "High")).sum()) > 0
    hv = select_targets(many, Campaign("HV", rules={"segments": ["At Risk"], "monetary_quantile": 0.75}), offer, base)
    threshold = many["Monetary"].quantile(0.75)
    assert len(hv) == int(((many["Segment"] == "At Risk") & (many["Monetary"] >= threshold)).sum())
    at_risk = select_targets(many, Campaign("Risk", rules={"at_risk": True}), offer, base)
    assert len(at_risk) == int(many["at_risk"].sum()) and at_risk["in_base"].all()
    lapsed = select_targets(many, Campaign("Lapsed", rules={"in_base": False}), offer, base)
    assert len(lapsed) == int((~many["in_base"]).sum())


def test_a_new_target_rule_is_one_registry_entry(many):
    def countries(frame, value, campaign):
        return frame["Country"].isin(value).to_numpy(dtype=bool)

    key = "test_countries"
    register_target_rule(TargetRule(key, countries, lambda v, c: tuple(v), lambda v: "Country in " + ", ".join(v),
                                    ("Country",)))
    try:
        customers = many.assign(Country=np.where(np.arange(len(many)) % 3 == 0, "France", "Germany"))
        campaign = campaign_from_dict({"name": "France", key: ["France"], "discount": 0.1, "uplift": 0.1,
                                       "redemption_rate": 0.2, "margin": 0.4})
        assert len(select_targets(customers, campaign)) == int((customers["Country"] == "France").sum())
        assert campaign.target_text() == "Country in France"
        with pytest.raises(ValueError, match="already exists"):
            register_target_rule(TargetRule(key, countries, lambda v, c: v, str))
    finally:
        TARGET_RULES.pop(key)


def test_profitable_rule_and_profit_maximising_list(many):
    offer, base = Offer(0.15, 0.5, 100.0), Assumptions(0.1, 0.3, 0.4)
    best = profit_maximising_campaign(many, offer, base)
    targets = select_targets(many, best)
    econ = customer_economics(many, offer, base)
    positive = econ.index[(econ["net_profit"] > 0) & many["in_base"]]
    assert set(targets.index) == set(positive) and best.top_n == len(positive)
    assert targets["expected_profit"].is_monotonic_decreasing
    curve = profit_curve(many[many["in_base"]], offer, base)
    assert best_n(curve)[0] == len(positive)  # the curve peaks where the positive customers end


def test_profit_maximising_list_can_be_empty(two, base):
    expensive = Offer(0.2, contact_cost=1000.0)
    best = profit_maximising_campaign(two, expensive, base)
    assert best.top_n == 0 and campaign_summary(two, best)["targeted"] == 0


# ---------------------------------------------------------------------------------------------------------
# Profit curve
# ---------------------------------------------------------------------------------------------------------

def test_profit_curve_known_optimum():
    # uplift 1, margin 1, no discount: each customer is worth p*R - contact (5): 10, 5, -3, -5; fixed 12.
    customers = frame({"w": (0.0, 50.0, 1.0), "x": (1.0, 2.0, 1.0), "y": (0.5, 20.0, 1.0), "z": (1.0, 15.0, 1.0)})
    curve = profit_curve(customers, Offer(0.0, 5.0, 12.0), Assumptions(1.0, 0.0, 1.0))
    assert curve["CustomerID"].tolist()[1:] == ["z", "y", "x", "w"]
    assert curve["cumulative_net_profit"].tolist() == pytest.approx([0.0, -2.0, 3.0, 0.0, -5.0])
    assert best_n(curve) == (2, pytest.approx(3.0))


def test_best_n_is_zero_when_nothing_pays(two, base):
    assert best_n(profit_curve(two, Offer(0.2, contact_cost=1000.0), base)) == (0, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Sensitivity and Monte Carlo
# ---------------------------------------------------------------------------------------------------------

def test_grid_and_tornado_match_campaign_summary(many):
    campaign = Campaign("Lapsed", rules={"segments": ("Hibernating", "Lost")}, offer=Offer(0.1, 1.0, 50.0),
                        assumptions=Assumptions(0.1, 0.2, 0.4))
    table = grid(many, campaign, None, None, [0.05, 0.3], [0.1, 0.4, 0.9])
    s = campaign_summary(many, campaign, Offer(0.3, 1.0, 50.0), Assumptions(0.4, 0.2, 0.4))
    assert table["net_profit"].iloc[4] == pytest.approx(s["net_profit"])
    torn = tornado(many, campaign, None, None, {"uplift": (0.05, 0.2), "redemption_rate": (0.1, 0.5)})
    row = torn.set_index("parameter").loc["redemption_rate"]
    high = campaign_summary(many, campaign, None, replace(campaign.assumptions, redemption_rate=0.5))["net_profit"]
    assert row["net_profit_high"] == pytest.approx(high)
    assert torn["swing"].is_monotonic_decreasing


def test_scenarios_are_ordered(many):
    offer, base = Offer(0.15, 1.0, 200.0), Assumptions(0.1, 0.3, 0.4)
    scenarios = scenarios_from_ranges({"uplift": (0.05, 0.2), "redemption_rate": (0.1, 0.5), "discount": (0.1, 0.2)})
    assert scenarios["pessimistic"] == {"uplift": 0.05, "redemption_rate": 0.5, "discount": 0.2}
    table = scenario_table(many, Campaign("Top", top_n=1000), scenarios, offer, base)
    net = table["net_profit"]
    assert net["pessimistic"] < net["base"] < net["optimistic"]
    assert table.loc["base", "cost_model"].startswith("15% off the next order")


def test_monte_carlo_is_seeded_and_matches_the_summary(many):
    campaign = Campaign("Top", top_n=500, offer=Offer(0.1, 1.0, 100.0), assumptions=Assumptions(0.1, 0.3, 0.4))
    ranges = {"uplift": (0.02, 0.2), "margin": (0.3, 0.5)}
    a = monte_carlo(many, campaign, None, ranges, n_draws=2000, seed=1)
    pd.testing.assert_frame_equal(a, monte_carlo(many, campaign, None, ranges, n_draws=2000, seed=1))
    assert not np.allclose(a["uplift"], monte_carlo(many, campaign, None, ranges, n_draws=2000, seed=2)["uplift"])
    one = a.iloc[7]
    s = campaign_summary(many, campaign, None, replace(campaign.assumptions, uplift=one["uplift"],
                                                      margin=one["margin"]))
    assert one["net_profit"] == pytest.approx(s["net_profit"])
    assert probability_of_loss(a) == pytest.approx((a["net_profit"] < 0).mean())


def test_monte_carlo_with_value_draws(many):
    campaign = Campaign("Top", top_n=300, offer=Offer(0.1, 1.0, 100.0), assumptions=Assumptions(0.1, 0.3, 0.4))
    revenue = many["expected_revenue_if_alive"].to_numpy()
    draws = pd.DataFrame(revenue[:, None] * np.array([0.0, 1.0, 2.0])[None, :], index=many.index)
    table = monte_carlo(many, campaign, None, {"uplift": (0.1, 0.1)}, n_draws=600, seed=3, value_draws=draws)
    assert set(table["value_draw"]) == {0, 1, 2}
    at_base = campaign_summary(many, campaign)["net_profit"]
    assert table.loc[table["value_draw"] == 1, "net_profit"].to_numpy() == pytest.approx(at_base)
    # with no value nobody can be saved: only costs remain, every draw loses
    assert (table.loc[table["value_draw"] == 0, "net_profit"] < 0).all()
    assert (table.loc[table["value_draw"] == 2, "net_profit"] > at_base).all()
    with pytest.raises(ValueError, match="customers x draws"):
        monte_carlo(many, campaign, None, {"uplift": (0.1, 0.2)}, value_draws=np.ones((3, 2)))


def test_probability_of_loss_extremes():
    churners = frame({"A": (1.0, 1000.0, 10.0), "B": (0.9, 800.0, 10.0)})
    stayers = frame({"A": (0.0, 1000.0, 10.0), "B": (0.0, 800.0, 10.0)})
    ranges = {"uplift": (0.3, 0.9), "margin": (0.5, 0.6), "redemption_rate": (0.0, 1.0)}
    campaign = Campaign("All", top_n=2, offer=Offer(0.1, 1.0), assumptions=Assumptions(0.5, 0.3, 0.5))
    assert probability_of_loss(monte_carlo(churners, campaign, None, ranges, n_draws=1000)) == 0.0
    assert probability_of_loss(monte_carlo(stayers, campaign, None, ranges, n_draws=1000)) == 1.0
    assert probability_of_loss([0.0, -0.01, 5.0]) == pytest.approx(1 / 3)  # breaking even is not a loss


# ---------------------------------------------------------------------------------------------------------
# What-if grid
# ---------------------------------------------------------------------------------------------------------

def test_what_if_grid_matches_campaign_summary(many):
    offer, base = Offer(0.1, 1.5, 400.0), Assumptions(0.1, 0.2, 0.45)
    table = what_if_grid(many, offer, base, discounts=[0.0, 0.15], top_ns=[0, 1, 100, 5000], offer_months=3)
    pools = list(dict.fromkeys(table["pool"]))
    assert pools[:3] == ["highest_churn", "highest_expected_loss", "profit_maximising"]
    assert {p for p in pools[3:]} == {f"segment:{s}" for s in many["Segment"].unique()}
    assert len(table) == len(pools) * 2 * 2 * 4 and table["p_loss"].isna().all()
    in_base = int(many["in_base"].sum())
    cases = [("highest_churn", Campaign("c", rules={"in_base": True}, top_n=100, rank_by="churn_probability")),
             ("highest_expected_loss", Campaign("l", rules={"in_base": True}, top_n=100)),
             ("segment:Lost", Campaign("s", rules={"in_base": True, "segments": ["Lost"]}, top_n=100,
                                       rank_by="churn_probability"))]
    for offer_type in ("next_order", "all_orders"):
        cell_offer = replace(offer, discount=0.15, offer_type=offer_type,
                             offer_months=3 if offer_type == "all_orders" else None)
        for pool, campaign in cases:
            row = roi.what_if_cell(table, pool, 100, 0.15, offer_type)
            assert row["net_profit"] == pytest.approx(campaign_summary(many, campaign, cell_offer, base)["net_profit"])
        best = profit_maximising_campaign(many, cell_offer, base)
        top = Campaign("p", rules={"in_base": True}, top_n=100, rank_by="expected_profit")
        row = roi.what_if_cell(table, "profit_maximising", 100, 0.15, offer_type)
        assert row["net_profit"] == pytest.approx(campaign_summary(many, top, cell_offer, base)["net_profit"])
        assert best.top_n > 0
    everyone = roi.what_if_cell(table, "highest_churn", 5000, 0.0)
    assert everyone["targeted"] == in_base  # N above the pool size takes the whole pool (of the base)
    with pytest.raises(ValueError, match="no cell"):
        roi.what_if_cell(table, "highest_churn", 123, 0.0)


def test_what_if_grid_probability_of_loss(many):
    offer, base = Offer(0.1, 1.5, 400.0), Assumptions(0.1, 0.2, 0.45)
    ranges = {"uplift": (0.0, 0.2), "discount": (0.5, 0.9)}  # the discount range is ignored: the grid sets it
    table = what_if_grid(many, offer, base, discounts=[0.1], top_ns=[200, 1000], offer_types=["next_order"],
                         ranges=ranges, n_draws=4000, seed=5, segments=False)
    row = roi.what_if_cell(table, "highest_churn", 200, 0.1)
    campaign = Campaign("c", rules={"in_base": True}, top_n=200, rank_by="churn_probability",
                        offer=replace(offer, discount=0.1), assumptions=base)
    mc = monte_carlo(many, campaign, None, {"uplift": (0.0, 0.2)}, n_draws=4000, seed=5)
    assert row["p_loss"] == pytest.approx(probability_of_loss(mc))
    assert row["break_even_uplift"] == pytest.approx(campaign_summary(many, campaign)["break_even_uplift"])
    draws = pd.DataFrame(np.outer(many["expected_revenue_if_alive"], [1.0, 1.0]), index=many.index)
    same = what_if_grid(many, offer, base, discounts=[0.1], top_ns=[200, 1000], offer_types=["next_order"],
                        ranges=ranges, n_draws=4000, seed=5, segments=False, value_draws=draws)
    # value draws equal to the point estimate change nothing but consume random numbers
    assert same["net_profit"].tolist() == pytest.approx(table["net_profit"].tolist())


# ---------------------------------------------------------------------------------------------------------
# Tables and campaign definitions
# ---------------------------------------------------------------------------------------------------------

def test_segment_economics_matches_single_segment_campaigns(many):
    offer, base = Offer(0.1, 1.0, 150.0), Assumptions(0.1, 0.3, 0.4)
    table = segment_economics(many, offer, base)
    assert table["customers"].sum() == len(many)
    for segment in ("Lost", "Can't Lose Them"):
        s = campaign_summary(many, Campaign(segment, rules={"segments": (segment,)}), offer, base)
        assert table.loc[segment, "net_profit"] == pytest.approx(s["net_profit"])
        assert table.loc[segment, "expected_loss"] == pytest.approx(s["expected_loss"])


def test_roi_table_names_each_cost_model(many):
    campaigns = standard_campaigns()
    table = roi_table(many, campaigns)
    assert list(table.index) == ["Win-back", "Protect", "Nurture", "High-value at risk"]
    assert table.loc["Protect", "offer_contact_cost"] == 5.0
    assert table.loc["Protect", "cost_model"].startswith("15% off the next order")
    assert (table["offer_type"] == "next_order").all()
    bare = Campaign("Bare", top_n=10)
    with pytest.raises(ValueError, match="has no offer"):
        roi_table(many, [bare])
    shared = roi_table(many, [bare], Offer(0.1, offer_type="all_orders", offer_months=3), Assumptions(0.1, 0.2, 0.4))
    assert shared.loc["Bare", "targeted"] == 10 and shared.loc["Bare", "offer_months"] == 3


def test_campaign_dict_round_trip():
    data = {"name": "Win-back", "segments": ["Hibernating", "Lost"], "in_base": False, "discount": 0.15,
            "contact_cost": 1.0, "offer_type": "all_orders", "offer_months": 2, "uplift": 0.1,
            "redemption_rate": 0.2, "margin": 0.4, "top_n": 50, "rank_by": "churn_probability"}
    campaign = campaign_from_dict(data)
    assert campaign.rules == {"segments": ("Hibernating", "Lost"), "in_base": False}
    assert campaign.offer == Offer(0.15, 1.0, 0.0, "all_orders", 2)
    assert campaign_from_dict(campaign_to_dict(campaign)) == campaign
    assert set(campaign_to_dict(campaign)) <= set(CAMPAIGN_KEYS)
    defaults = {"margin": 0.4, "uplift": 0.1, "redemption_rate": 0.3, "offer_type": "next_order", "offer_months": 3}
    only_targets = campaign_from_dict({"name": "Top", "top_n": 50, "discount": 0.1}, defaults=defaults)
    assert only_targets.offer.offer_months is None and only_targets.assumptions.margin == 0.4


def test_standard_campaigns_take_params():
    custom = standard_campaigns({"defaults": {"margin": 0.55},
                                 "high_value_at_risk": {"monetary_quantile": None, "top_n": 200}})
    assert all(c.assumptions.margin == 0.55 for c in custom)
    assert custom[3].top_n == 200 and "monetary_quantile" not in custom[3].rules
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
    with pytest.raises(ValueError, match="unknown parameter"):
        override(Offer(0.1), Assumptions(0.1, 0.2, 0.3), {"uplfit": 0.2})


def test_customer_table_errors(two, offer, base):
    with pytest.raises(ValueError, match=r"missing column\(s\) 'expected_revenue_if_alive'"):
        campaign_summary(two.drop(columns="expected_revenue_if_alive"), EVERYONE, offer, base)
    with pytest.raises(ValueError, match=r"missing column\(s\) 'risk_band'"):
        select_targets(two.drop(columns="risk_band"), Campaign("High", rules={"risk_bands": ("High",)}), offer, base)
    with pytest.raises(ValueError, match=r"1 duplicate CustomerID\(s\): 'A'"):
        campaign_summary(pd.concat([two, two.iloc[[0]]]), EVERYONE, offer, base)
    with pytest.raises(ValueError, match="churn_probability must be between 0 and 1.*'B'"):
        customer_economics(two.assign(churn_probability=[0.5, 1.2]), offer, base)
    with pytest.raises(ValueError, match="expected_order_value must be a finite amount.*'A'"):
        customer_economics(two.assign(expected_order_value=[np.inf, 1.0]), offer, base)


def test_campaign_definition_errors(two, offer, base):
    with pytest.raises(ValueError, match="has no target rule"):
        Campaign("Nothing")
    with pytest.raises(ValueError, match=r"unknown key\(s\): 'segment' \(did you mean 'segments'\?\)"):
        campaign_from_dict({"name": "X", "segment": ["Lost"]})
    with pytest.raises(ValueError, match=r"unknown ranking: 'churn_probabilty' \(did you mean 'churn_probability'\?\)"):
        Campaign("X", top_n=3, rank_by="churn_probabilty")
    with pytest.raises(ValueError, match="in_base must be true or false"):
        Campaign("X", rules={"in_base": "yes"})
    with pytest.raises(ValueError, match="Assumptions also needs redemption_rate, margin"):
        campaign_from_dict({"name": "X", "top_n": 5, "uplift": 0.1})
    with pytest.raises(ValueError, match="repeated: 'X'"):
        campaigns_from_dicts([{"name": "X", "top_n": 1}, {"name": "X", "top_n": 2}])
    with pytest.raises(ValueError, match="has no offer"):
        campaign_summary(two, EVERYONE, None, base)
    with pytest.raises(ValueError, match=r"unknown segment\(s\): 'Hibernatng' \(did you mean 'Hibernating'\?\)"):
        select_targets(two, Campaign("Typo", rules={"segments": ("Hibernatng",)}), offer, base)
    with pytest.raises(ValueError, match="could not be evaluated"):
        select_targets(two, Campaign("Bad", rules={"rule": "NoSuchColumn > 3"}), offer, base)


def test_range_errors(two, offer, base):
    with pytest.raises(ValueError, match=r"unknown parameter\(s\): 'uplfit'"):
        tornado(two, EVERYONE, offer, base, {"uplfit": (0.1, 0.2)})
    with pytest.raises(ValueError, match="low <= high"):
        monte_carlo(two, EVERYONE, offer, {"uplift": (0.4, 0.2)}, assumptions=base)
    with pytest.raises(ValueError, match="discount must be between 0 and 1"):
        what_if_grid(two, offer, base, discounts=[0.1, 1.1], top_ns=[1])


# ---------------------------------------------------------------------------------------------------------
# A per-customer response model (response_weight, response_value, buy_anyway)
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def responding(two) -> pd.DataFrame:
    """A: the offer makes 0.3 extra buyers per unit uplift, worth one order (40); B is a sleeping dog (-0.2)."""
    return two.assign(response_weight=[0.3, -0.2], response_value=[40.0, 50.0], buy_anyway=[0.25, 0.9])


def test_customer_economics_with_a_response_model_by_hand(responding, offer, base):
    econ = customer_economics(responding, offer, base)
    # A: u w = 0.15 extra buyers; revenue 0.15*40 = 6, margin 2.4; saved discount 0.15*1*0.2*40 = 1.2;
    #    anyway 0.25*0.3*0.2*40 = 0.6; contact 1 -> 2.4 - 1.2 - 0.6 - 1 = -0.4
    # B: u w = -0.1; revenue -5, margin -2; saved discount -0.1*0.2*50 = -1; anyway 0.9*0.3*0.2*50 = 2.7;
    #    contact 1 -> -2 + 1 - 2.7 - 1 = -4.7
    assert econ["saved_customers"].tolist() == pytest.approx([0.15, -0.1])
    assert econ["incremental_margin"].tolist() == pytest.approx([2.4, -2.0])
    assert econ["discount_cost_wasted"].tolist() == pytest.approx([0.6, 2.7])
    assert econ["net_profit"].tolist() == pytest.approx([-0.4, -4.7])
    # value at stake and expected loss keep their definitions
    assert econ["value_at_stake"].tolist() == pytest.approx([40.0, 80.0])
    assert econ["expected_loss"].tolist() == pytest.approx([32.0, 8.0])


def test_campaign_totals_with_a_response_model_add_up_and_break_even(responding, base):
    offer = Offer(discount=0.1, contact_cost=0.2, fixed_cost=1.0)
    everyone = Campaign("Everyone", rules={"rule": "churn_probability >= 0"}, offer=offer, assumptions=base)
    summary = campaign_summary(responding, everyone)
    econ = customer_economics(responding, offer, base)
    assert summary["net_profit"] == pytest.approx(econ["net_profit"].sum() - 1.0)
    be = summary["break_even_uplift"]
    pool = Pool.of(select_targets(responding, everyone), offer)
    at_be = totals(pool, {**parameter_values(offer, base), "uplift": be})
    assert float(at_be["net_profit"]) == pytest.approx(0.0, abs=1e-9)


def test_defaults_of_the_response_columns_are_the_classic_model(two, offer, base):
    classic = customer_economics(two, offer, base)
    explicit = customer_economics(two.assign(response_weight=two["churn_probability"],
                                             response_value=two["expected_revenue_if_alive"],
                                             buy_anyway=1 - two["churn_probability"]), offer, base)
    pd.testing.assert_frame_equal(classic, explicit)


def test_monte_carlo_takes_explicit_uplift_draws(responding, offer, base):
    everyone = Campaign("Everyone", rules={"rule": "churn_probability >= 0"}, offer=offer, assumptions=base)
    uplifts = np.array([0.0, 0.5, 1.0, -0.5])
    draws = monte_carlo(responding, everyone, None, {}, n_draws=4, parameter_draws={"uplift": uplifts})
    expected = [campaign_summary(responding, everyone, assumptions=replace(base, uplift=abs(u)))["net_profit"]
                for u in uplifts[:3]]
    assert draws["uplift"].tolist() == uplifts.tolist()
    assert draws["net_profit"].tolist()[:3] == pytest.approx(expected)
    with pytest.raises(ValueError, match="parameter_draws"):
        monte_carlo(responding, everyone, None, {}, n_draws=3, parameter_draws={"uplift": uplifts})


def test_value_draws_move_the_response_value_in_proportion(responding, offer, base):
    everyone = Campaign("Everyone", rules={"rule": "churn_probability >= 0"}, offer=offer, assumptions=base)
    doubled = pd.DataFrame({"d0": responding["expected_revenue_if_alive"] * 2}, index=responding.index)
    draws = monte_carlo(responding, everyone, None, {"uplift": (0.5, 0.5)}, n_draws=2, value_draws=doubled)
    twice = responding.assign(response_value=responding["response_value"] * 2)
    assert draws["net_profit"].tolist() == pytest.approx([campaign_summary(twice, everyone)["net_profit"]] * 2)


def test_what_if_cells_equal_the_campaign_they_describe(many, offer, base):
    rng = np.random.default_rng(1)
    customers = many.assign(response_weight=rng.normal(0.1, 0.2, len(many)),
                            response_value=many["expected_order_value"],
                            buy_anyway=1 - many["churn_probability"])
    uplifts = np.random.default_rng(2).normal(0.5, 0.1, 300)
    table = what_if_grid(customers, offer, base, discounts=[0.15], top_ns=[100], offer_types=["next_order"],
                         ranges={"uplift": (0.2, 0.8)}, n_draws=300, parameter_draws={"uplift": uplifts})
    cell = table[table["pool"] == "highest_churn"].iloc[0]
    top = Campaign("Top", rules={"in_base": True}, top_n=100, rank_by="churn_probability",
                   offer=replace(offer, discount=0.15), assumptions=base)
    assert cell["net_profit"] == pytest.approx(campaign_summary(customers, top)["net_profit"])
    mc = monte_carlo(customers, top, None, {}, n_draws=300, parameter_draws={"uplift": uplifts})
    assert cell["p_loss"] == pytest.approx(probability_of_loss(mc))
