from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from retention.cleaning import clean_transactions
from retention.experiments import (
    LEARNERS,
    TLearner,
    TransformedOutcomeLearner,
    XLearner,
    campaign_outcomes,
    cross_fit_uplift,
    expected_offer_cost,
    make_learner,
    qini_curve,
    qini_summary,
    rank_by_incremental_profit,
    send_date_features,
    true_gain_curve,
)
from retention.generator import GeneratorConfig, generate


@dataclass
class CampaignData:
    X: pd.DataFrame
    treated: np.ndarray
    bought: np.ndarray
    true_uplift: np.ndarray


@pytest.fixture(scope="module")
def campaign() -> CampaignData:
    """A generated past campaign with most customers in the test, features as of the send date."""
    log = generate(GeneratorConfig(n_customers=2500, seed=3, campaign_share=0.9))
    clean = clean_transactions(log.transactions, non_product_codes=["POST", "DOT", "M", "C2", "BANK CHARGES",
                                                                     "AMAZONFEE", "B", "PADS"])
    out = campaign_outcomes(clean.transactions, log.campaign, outcome_days=60)
    X = send_date_features(clean.transactions, log.campaign).loc[out.index]
    truth = log.truth.set_index("CustomerID")
    return CampaignData(X, (out["group"] == "treatment").to_numpy(), out["purchased"].to_numpy().astype(int),
                 truth.loc[out.index, "true_uplift"].to_numpy())


def test_features_are_taken_as_of_the_send_date_only(campaign):
    assert len(campaign.X) == len(campaign.treated) > 1500
    assert campaign.X.notna().all().all() and (campaign.X["Recency"] >= 0).all()


@pytest.mark.parametrize("name", ["T-learner", "X-learner"])
def test_cross_fitted_learners_beat_random_targeting_on_the_true_uplift(campaign, name):
    scores = cross_fit_uplift(make_learner(name, random_state=0), campaign.X, campaign.treated, campaign.bought,
                              n_folds=4, seed=1)
    assert np.isfinite(scores).all() and scores.min() >= -1 and scores.max() <= 1
    summary = qini_summary(campaign.bought, campaign.treated, {name: scores}, true_uplift=campaign.true_uplift)
    assert summary.loc["oracle", "share_of_oracle_true_gain"] == 1.0
    assert 0.05 < summary.loc[name, "share_of_oracle_true_gain"] < 1.0  # better than random (0), below the oracle
    assert np.corrcoef(scores, campaign.true_uplift)[0, 1] > 0.05


def test_learners_are_deterministic_and_follow_the_sklearn_contract(campaign):
    X, t, y = campaign.X.head(600), campaign.treated[:600], campaign.bought[:600]
    for cls in LEARNERS.values():
        model = cls(random_state=4)
        assert not [k for k in vars(model) if k.endswith("_")]  # nothing fitted in __init__
        assert model.fit(X, t, y) is model and model.n_features_in_ == X.shape[1]
        again = cls(random_state=4).fit(X, np.where(t, "treatment", "control"), y)
        assert np.array_equal(model.predict_uplift(X), again.predict_uplift(X))
    with pytest.raises(ValueError, match="binary"):
        TLearner().fit(X, t, y * 2.5)
    with pytest.raises(ValueError, match="control arm"):
        XLearner().fit(X, np.ones(len(t), dtype=bool), y)
    with pytest.raises(ValueError, match="treatment labels"):
        TransformedOutcomeLearner().fit(X, np.where(t, "test", "control"), y)
    with pytest.raises(ValueError, match="unknown uplift learner"):
        make_learner("S-learner")


def test_a_learner_recovers_a_planted_effect():
    rng = np.random.default_rng(5)
    n = 4000
    X = rng.normal(size=(n, 3))
    t = rng.random(n) < 0.5
    tau = np.where(X[:, 1] > 0, 0.3, 0.0)
    y = (rng.random(n) < 0.2 + t * tau).astype(int)
    for name in LEARNERS:
        predicted = make_learner(name, random_state=0).fit(X, t, y).predict_uplift(X)
        assert predicted[X[:, 1] > 0.5].mean() - predicted[X[:, 1] < -0.5].mean() > 0.15, name


def test_qini_curve_by_hand():
    y = np.array([1, 0, 1, 0])
    t = np.array([True, False, False, True])
    curve = qini_curve(y, t, score=[0.9, 0.8, 0.1, 0.5])  # order: 0 (T,1), 1 (C,0), 3 (T,0), 2 (C,1)
    assert curve["qini"].to_list() == [0, 1, 1, 1, 0]  # at k=4: 1 - 1 * 2/2
    assert curve["uplift"].to_list() == pytest.approx([0, 0, 2, 1.5, 0])
    gain = true_gain_curve([0.2, -0.1, 0.0, 0.3], score=[0.2, -0.1, 0.0, 0.3])
    assert gain["gain"].to_list() == pytest.approx([0, 0.3, 0.5, 0.5, 0.4])


def test_ranking_by_predicted_profit_excludes_and_counts_sleeping_dogs():
    ids = pd.Index(["a", "b", "c", "d"], name="CustomerID")
    uplift = pd.Series([0.1, -0.05, 0.3, 0.02], index=ids)
    value = pd.Series([100.0, 500.0, 50.0, 1000.0], index=ids)
    cost = pd.Series(expected_offer_cost([0.5, 0.5, 0.5, 0.9], [100, 100, 100, 100], discount=0.1, contact_cost=1.0),
                     index=ids)
    assert cost.to_list() == pytest.approx([6.0, 6.0, 6.0, 10.0])
    ranked = rank_by_incremental_profit(uplift, value, cost)
    assert ranked.sleeping_dogs == 1 and "b" not in ranked.table.index
    assert list(ranked.table.index) == ["d", "c", "a"]
    assert ranked.table["predicted_incremental_profit"].to_list() == pytest.approx([10.0, 9.0, 4.0])
    assert ranked.table["cumulative_profit"].to_list() == pytest.approx([10.0, 19.0, 23.0])
    assert list(ranked.profitable.index) == ["d", "c", "a"] and list(ranked.top(1).index) == ["d"]
    assert list(rank_by_incremental_profit(uplift, value, 12.0).profitable.index) == ["d", "c"]
    with pytest.raises(ValueError, match="no predicted uplift or value"):
        rank_by_incremental_profit(uplift, value.drop("a"), 1.0)
