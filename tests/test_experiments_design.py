import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import power_proportions_2indep

from retention.experiments import assign_groups, design_test, detectable_uplift, expected_test_cost, sample_size


def test_arcsine_sample_size_matches_cohens_table():
    # Cohen (1988), Table 6.4.1: h = 0.2, two-sided alpha 0.05, power 0.80 -> n = 392 per group.
    p2 = 0.5
    p1 = math.sin(math.asin(math.sqrt(p2)) + 0.1) ** 2  # 2 asin(sqrt p1) - 2 asin(sqrt p2) = 0.2
    n_t, n_c = sample_size(p2, p1 - p2, method="arcsine")
    assert n_t == n_c == 393  # 392.4 rounded up
    assert NormalIndPower().solve_power(effect_size=0.2, alpha=0.05, power=0.8) == pytest.approx(392, abs=0.5)


def test_normal_sample_size_is_the_textbook_formula_and_reaches_the_power():
    # Fleiss, Levin & Paik (2003) eq. 4.14 without continuity correction, equal arms.
    p0, p1, alpha, power = 0.30, 0.35, 0.05, 0.8
    z_a, z_b = norm.ppf(1 - alpha / 2), norm.ppf(power)
    pbar = (p0 + p1) / 2
    n = (z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1))) ** 2 / 0.05 ** 2
    n_t, n_c = sample_size(p0, 0.05, alpha=alpha, power=power)
    assert n_t == n_c == math.ceil(n) == 1377
    achieved = power_proportions_2indep(0.05, p0, n_t, ratio=1.0, alpha=alpha).power
    short = power_proportions_2indep(0.05, p0, n_t - 1, ratio=1.0, alpha=alpha).power
    assert short < power <= achieved


def test_unequal_split_and_detectable_uplift_are_consistent():
    n_t, n_c = sample_size(0.3, 0.05, control_share=0.25)
    assert n_c == pytest.approx(n_t / 3, abs=1)
    smallest = detectable_uplift(0.3, n_t, n_c)
    assert smallest == pytest.approx(0.05, abs=0.001)
    assert math.isnan(detectable_uplift(0.3, 1, 1))


def test_design_says_when_the_list_is_too_small():
    design = design_test(0.3, 0.05, available=1000, discount=0.15, order_value=400, contact_cost=0.5,
                         fixed_cost=250)
    assert not design.feasible and design.n_total == 2754
    assert "too small to detect an uplift of 5.0 points" in design.verdict
    assert design.detectable_with_list == pytest.approx(detectable_uplift(0.3, 500, 500))
    assert f"{design.detectable_with_list * 100:.1f} points" in design.verdict
    big = design_test(0.3, 0.05, available=5000, discount=0.15, order_value=400, contact_cost=0.5, fixed_cost=250)
    assert big.feasible and "detects an uplift of 5.0 points" in big.verdict
    assert big.expected_cost == pytest.approx(1377 * (0.5 + 0.35 * 0.15 * 400) + 250)
    assert big.expected_cost == expected_test_cost(1377, purchase_rate=0.35, discount=0.15, order_value=400,
                                                   contact_cost=0.5, fixed_cost=250)
    impossible = design_test(0.9, 0.2, available=5000)
    assert not impossible.feasible and "cannot rise that much" in impossible.verdict


def test_bad_design_inputs_are_errors():
    with pytest.raises(ValueError, match="uplift"):
        sample_size(0.3, -0.01)
    with pytest.raises(ValueError, match="baseline_rate"):
        sample_size(0.0, 0.05)
    with pytest.raises(ValueError, match="method"):
        sample_size(0.3, 0.05, method="exact")
    with pytest.raises(ValueError, match="control_share"):
        sample_size(0.3, 0.05, control_share=1.0)


def test_stratified_assignment_balances_every_stratum_and_is_seeded():
    rng = np.random.default_rng(0)
    customers = pd.DataFrame({"Segment": rng.choice(["A", "B", "C"], 1001),
                              "risk_band": rng.choice(["Low", "High"], 1001)},
                             index=pd.Index([str(i) for i in range(1001)], name="CustomerID"))
    first = assign_groups(customers, seed=7)
    assert first.equals(assign_groups(customers, seed=7))
    assert not first["group"].equals(assign_groups(customers, seed=8)["group"])
    assert list(first.columns) == ["CustomerID", "group", "stratum"]
    assert list(first["CustomerID"]) == list(customers.index)
    counts = first.groupby(["stratum", "group"]).size().unstack()
    assert ((counts["control"] - counts["treatment"]).abs() <= 1).all()
    assert abs((first["group"] == "control").sum() - 500.5) <= 1
    quarter = assign_groups(customers, control_share=0.25, seed=1)
    per = quarter.groupby("stratum")["group"].apply(lambda g: (g == "control").sum() - 0.25 * len(g))
    assert (per.abs() <= 1).all()
    with pytest.raises(ValueError, match="risk_band"):
        assign_groups(customers.drop(columns="risk_band"))
