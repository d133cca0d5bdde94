from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from retention.engine import EngineConfig, open_log
from retention.experiments import (
    LEARNER_FEATURES,
    LEARNERS,
    BaselineRiskLearner,
    TLearner,
    TransformedOutcomeLearner,
    XLearner,
    campaign_outcomes,
    compare_learners,
    cross_fit_uplift,
    expected_offer_cost,
    learner_features,
    make_learner,
    predicted_incremental_profit,
    purchase_outlook,
    qini_curve,
    qini_summary,
    rank_by_incremental_profit,
    send_date_features,
    true_gain_curve,
)
from retention.generator import GeneratorConfig, generate

pytest.importorskip("ibis")
pytest.importorskip("duckdb")


@dataclass
class CampaignData:
    X: pd.DataFrame
    treated: np.ndarray
    bought: np.ndarray
    true_uplift: np.ndarray


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> CampaignData:
    """A generated past campaign with most customers in the test, features as of the send date (engine)."""
    log = generate(GeneratorConfig(n_customers=2500, seed=3, campaign_share=0.9))
    path = tmp_path_factory.mktemp("uplift") / "log.parquet"
    log.transactions.to_parquet(path, index=False)
    codes = ("POST", "DOT", "M", "C2", "BANK CHARGES", "AMAZONFEE", "B", "PADS")
    assignment = log.campaign.assign(sent_at=pd.to_datetime(log.campaign["sent_at"]))
    sent = assignment["sent_at"].iloc[0]
    with open_log(path, config=EngineConfig(non_product_codes=codes)) as engine:
        out = campaign_outcomes(assignment, engine.window_purchases(assignment.set_index("CustomerID")["sent_at"], 60))
        features = send_date_features(engine.customer_features_at([sent]), assignment)
        outlook = purchase_outlook(engine.rfm_summary(sent, unit="W"), 60, unit="W")
    X = learner_features(features, outlook)
    out = out.loc[X.index]
    truth = log.truth.set_index("CustomerID")
    return CampaignData(X, (out["group"] == "treatment").to_numpy(), out["purchased"].to_numpy().astype(int),
                        truth.loc[out.index, "true_uplift"].to_numpy())


def test_features_are_taken_as_of_the_send_date_only(campaign):
    assert len(campaign.X) == len(campaign.treated) > 1500 and list(campaign.X.columns) == list(LEARNER_FEATURES)
    assert campaign.X.notna().all().all() and (campaign.X["Recency"] >= 0).all()
    assert campaign.X["p_buy_window"].between(0, 1).all() and campaign.X["p_alive"].between(0, 1).all()


def test_send_date_features_pick_each_customers_own_date():
    at = pd.DataFrame({"cutoff": pd.to_datetime(["2011-01-01", "2011-01-01", "2011-02-01", "2011-02-01"]),
                       "CustomerID": ["a", "b", "a", "b"], "Recency": [1, 2, 3, 4]})
    plan = pd.DataFrame({"CustomerID": ["b", "a", "c"], "sent_at": ["2011-01-01", "2011-02-01", "2011-02-01"]})
    picked = send_date_features(at, plan, columns=["Recency"])
    assert picked["Recency"].to_dict() == {"a": 3, "b": 2}  # c has no history then: no row


@pytest.mark.parametrize("name", ["T-learner", "X-learner"])  # Baseline-risk: see the planted-effect test
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
    for name in [n for n in LEARNERS if n != "Baseline-risk"]:
        predicted = make_learner(name, random_state=0).fit(X, t, y).predict_uplift(X)
        assert predicted[X[:, 1] > 0.5].mean() - predicted[X[:, 1] < -0.5].mean() > 0.15, name
    predicted = BaselineRiskLearner(baseline=None, random_state=0).fit(X, t, y).predict_uplift(X)
    assert predicted.std() < 0.1  # the effect does not follow the baseline here: a flat, hedged curve


def test_the_baseline_risk_learner_finds_an_effect_that_follows_the_baseline_probability():
    rng = np.random.default_rng(6)
    n = 4000
    score = rng.uniform(0.02, 0.98, n)              # the chance of buying anyway, known as a feature
    X = pd.DataFrame({"noise": rng.normal(size=n), "p_buy_window": score})
    t = rng.random(n) < 0.5
    tau = 0.5 * 4 * score * (1 - score) * (1 - score)  # persuadable in the middle, nothing at the ends
    y = (rng.random(n) < score + t * tau).astype(int)
    learner = BaselineRiskLearner(random_state=0).fit(X, t, y)
    predicted = learner.predict_uplift(X)
    assert np.corrcoef(predicted, tau)[0, 1] > 0.8
    assert np.abs(learner.predict_baseline(X) - score).mean() < 0.05
    with pytest.raises(ValueError, match="baseline column 'p_buy_window' must be a column of X"):
        BaselineRiskLearner().fit(X.to_numpy(), t, y)
    assert np.allclose(BaselineRiskLearner(baseline=1).fit(X.to_numpy(), t, y).predict_uplift(X.to_numpy()),
                       predicted)


def test_compare_learners_chooses_by_the_mean_cross_fitted_qini_area(campaign):
    X, t, y = campaign.X.head(900), campaign.treated[:900], campaign.bought[:900]
    found = compare_learners(X, t, y, ["T-learner", "Baseline-risk"], n_folds=3, n_repeats=2, seed=1,
                             true_uplift=campaign.true_uplift[:900],
                             references={"half": campaign.true_uplift[:900] / 2})
    table = found.table
    assert list(table.index) == ["oracle", "half", "T-learner", "Baseline-risk"]
    assert found.chosen == table.loc[["T-learner", "Baseline-risk"], "qini_area"].idxmax()
    assert table.loc["oracle", "share_of_oracle_true_gain"] == 1.0
    assert table.loc["half", "share_of_oracle_true_gain"] == pytest.approx(1.0)  # the same ranking
    assert list(found.scores.columns) == ["T-learner", "Baseline-risk"] and found.scores.index.equals(X.index)
    assert set(found.curves["model"]) == {"oracle", "T-learner", "Baseline-risk"}
    assert found.curves.groupby("model")["share"].agg(["min", "max"]).eq([0.0, 1.0]).all().all()
    again = compare_learners(X, t, y, ["T-learner", "Baseline-risk"], n_folds=3, n_repeats=2, seed=1)
    assert np.allclose(again.scores, found.scores) and "oracle" not in again.table.index


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
    profit = predicted_incremental_profit(uplift, pd.Series(0.3, index=ids), value, margin=0.4, discount=0.1,
                                          contact_cost=1.0)
    assert profit["a"] == pytest.approx(0.1 * 0.4 * 100 - 1.0 - 0.1 * 0.4 * 100)
    with pytest.raises(ValueError, match="no predicted uplift or value"):
        rank_by_incremental_profit(uplift, value.drop("a"), 1.0)
