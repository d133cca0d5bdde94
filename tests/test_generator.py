import io

import numpy as np
import pandas as pd
import pytest

from retention.generator import GeneratorConfig, generate


def csv_bytes(df: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    df.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode()


def test_same_seed_same_bytes_other_seed_other_bytes():
    a = generate(GeneratorConfig(n_customers=200, seed=3))
    b = generate(GeneratorConfig(n_customers=200, seed=3))
    c = generate(GeneratorConfig(n_customers=200, seed=4))
    assert csv_bytes(a.transactions) == csv_bytes(b.transactions)
    assert csv_bytes(a.truth) == csv_bytes(b.truth)
    assert csv_bytes(a.campaign) == csv_bytes(b.campaign)
    assert csv_bytes(a.transactions) != csv_bytes(c.transactions)


@pytest.fixture(scope="module")
def default_log():
    return generate(GeneratorConfig())


def test_default_scale_matches_the_seed_project(default_log):
    tx = default_log.transactions
    assert 220_000 <= len(tx) <= 245_000  # about 232,000 lines
    assert tx["CustomerID"].nunique() == 4300
    assert 0.23 <= tx["CustomerID"].isna().mean() <= 0.27  # about a quarter without CustomerID
    assert tx["InvoiceDate"].min() >= pd.Timestamp("2010-12-01")
    assert tx["InvoiceDate"].max() < pd.Timestamp("2011-12-01")
    uk = (tx.drop_duplicates("CustomerID")["Country"] == "United Kingdom").mean()
    assert 0.8 < uk < 0.95


def test_real_file_quirks_are_present(default_log):
    tx = default_log.transactions
    assert tx["InvoiceNo"].str.startswith("C").sum() > 500
    assert tx.duplicated().sum() > 500
    assert (tx["UnitPrice"] == 0).sum() > 50
    assert {"POST", "DOT", "AMAZONFEE", "BANK CHARGES"} <= set(tx["StockCode"])
    huge = tx[tx["Quantity"].abs() == 80995]
    assert len(huge) == 2 and huge["InvoiceDate"].dt.date.nunique() == 1  # cancelled the same day
    by_month = tx.groupby(tx["InvoiceDate"].dt.month)["InvoiceNo"].nunique()
    assert by_month.idxmax() == 11  # November peak
    sales = tx[~tx["InvoiceNo"].str.startswith("C")]  # cancellations are dated whenever the customer cancels
    weekday = sales.drop_duplicates("InvoiceNo")["InvoiceDate"].dt.day_of_week.value_counts()
    assert weekday.get(5, 0) < 0.03 * weekday.max()  # quiet Saturdays


def test_ground_truth_is_consistent_with_the_log(default_log):
    tx, truth = default_log.transactions, default_log.truth
    assert len(truth) == 4300 and truth["CustomerID"].is_unique
    assert set(truth["CustomerID"]) == set(tx["CustomerID"].dropna())
    dead = ~truth["alive_at_end"]
    assert 0.1 < dead.mean() < 0.6
    # A customer who dropped out before the end never buys afterwards.
    assert (truth.loc[dead, "purchases_next_365d"] == 0).all()
    assert (truth.loc[dead, "dropout_date"] <= pd.Timestamp("2011-11-30")).all()
    assert truth.loc[~dead, "dropout_date"].isna().sum() + (truth.loc[~dead, "dropout_date"] > "2011-11-30").sum() \
        == (~dead).sum()
    counts = truth[["purchases_next_30d", "purchases_next_90d", "purchases_next_180d", "purchases_next_365d"]]
    assert (np.diff(counts.to_numpy(), axis=1) >= 0).all()
    assert truth["spend_next_365d"].gt(0).eq(truth["purchases_next_365d"].gt(0)).all()


def test_write_large_log_writes_exact_deterministic_chunks(tmp_path):
    import json

    from retention.generator import write_large_log

    first = write_large_log(tmp_path / "a", 50_000, seed=5, chunk_customers=400)
    second = write_large_log(tmp_path / "b", 50_000, seed=5, chunk_customers=400)
    other = write_large_log(tmp_path / "c", 5_000, seed=6, chunk_customers=400)
    assert len(first) == len(second) >= 2 and [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert not pd.read_parquet(first[0]).head(5_000).equals(pd.read_parquet(other[0]))
    log = pd.concat([pd.read_parquet(p) for p in first], ignore_index=True)
    assert len(log) == 50_000 and list(log.columns) == list(generate(GeneratorConfig(n_customers=10)).transactions)
    meta = json.loads((tmp_path / "a" / "_large_log.json").read_text())
    assert meta["lines"] == 50_000 and meta["files"] == len(first)
    # blocks are independent customers: ids and invoice numbers never repeat across files
    per_file = [pd.read_parquet(p) for p in first]
    ids = [set(f["CustomerID"].dropna()) for f in per_file]
    invoices = [set(f["InvoiceNo"].str.lstrip("CA")) for f in per_file]
    for i in range(len(per_file)):
        for j in range(i + 1, len(per_file)):
            assert not ids[i] & ids[j] and not invoices[i] & invoices[j]
    assert meta["customers"] == log["CustomerID"].nunique() > 400
    assert log["InvoiceNo"].str.startswith("C").any() and log.duplicated().any()
    # a rerun into the same folder replaces the parts
    assert write_large_log(tmp_path / "a", 20_000, seed=5, chunk_customers=400)[-1].exists()
    assert sum(len(pd.read_parquet(p)) for p in (tmp_path / "a").glob("part-*.parquet")) == 20_000
    with pytest.raises(ValueError, match="n_lines"):
        write_large_log(tmp_path / "d", 0)


# --- responses to offers, the past campaign and the truth's counterfactuals -------------------------------

from retention.generator import (  # noqa: E402
    RESPONSE_TYPES,
    companion_paths,
    true_incremental_profit,
    true_incremental_profit_by_customer,
    write_generated,
)


def test_the_past_campaign_is_a_random_split_of_customers_acquired_before_it(default_log):
    campaign, truth = default_log.campaign, default_log.truth
    assert list(campaign.columns) == ["CustomerID", "group", "sent_at", "campaign", "discount"]
    assert (campaign["discount"] == 0.15).all()
    assert campaign["CustomerID"].is_unique and set(campaign["group"]) == {"treatment", "control"}
    assert abs((campaign["group"] == "treatment").sum() - (campaign["group"] == "control").sum()) <= 1
    assert (campaign["sent_at"] == "2011-08-02").all()  # 120 days before 2011-11-30
    acquired = truth.set_index("CustomerID")["first_purchase"] < pd.Timestamp("2011-08-02")
    assert acquired.loc[campaign["CustomerID"]].all()
    assert len(campaign) == round(0.3 * acquired.sum())
    in_test = truth["campaign_group"].notna()
    assert set(truth.loc[in_test, "CustomerID"]) == set(campaign["CustomerID"])
    assert truth["true_uplift"].notna().eq(truth["first_purchase"] < pd.Timestamp("2011-08-02")).all()


def test_treated_customers_pay_the_discount_on_their_first_order_in_the_window(default_log):
    tx, campaign = default_log.transactions, default_log.campaign
    sales = tx[~tx["InvoiceNo"].str.startswith("C") & (tx["UnitPrice"] > 0) & (tx["Quantity"] < 1000)]
    list_price = sales.groupby("StockCode")["UnitPrice"].agg(lambda p: p.mode().iloc[0])
    window = sales[(sales["InvoiceDate"] >= "2011-08-03") & (sales["InvoiceDate"] < "2011-10-02")]
    first = window.sort_values("InvoiceDate").drop_duplicates("CustomerID")[["CustomerID", "InvoiceNo"]]
    first = first.merge(campaign, on="CustomerID")
    lines = window[window["InvoiceNo"].isin(first["InvoiceNo"])].merge(first[["InvoiceNo", "group"]])
    lines = lines[~lines["StockCode"].isin(["POST"])]
    discounted = np.isclose(lines["UnitPrice"], (lines["StockCode"].map(list_price) * 0.85).round(2), atol=0.011)
    share = pd.Series(discounted, index=lines.index).groupby(lines["group"]).mean()
    assert share["treatment"] > 0.9 and share["control"] < 0.1


def test_response_types_follow_the_potential_outcomes(default_log):
    truth = default_log.truth
    kinds = truth["response_type"]
    assert set(kinds) == set(RESPONSE_TYPES)
    assert 0.01 < (kinds == "sleeping_dog").mean() < 0.1 < (kinds == "persuadable").mean() < 0.35
    bought = truth["purchases_next_60d"] > 0
    bought_treated = truth["purchases_next_60d_treated"] > 0
    same = truth["revenue_next_365d_treated"] == truth["revenue_next_365d_control"]
    assert (bought & bought_treated & same)[kinds == "sure_thing"].all()
    assert (~bought & ~bought_treated & same)[kinds == "lost_cause"].all()
    assert bought_treated[kinds == "persuadable"].all()
    assert (truth["revenue_next_365d_treated"] > truth["revenue_next_365d_control"])[kinds == "persuadable"].all()
    assert (truth.loc[kinds == "sleeping_dog", "purchases_next_365d_treated"] == 0).all()
    # the first order in the window is what a next-order offer discounts: none for non-buyers and sleeping dogs
    assert truth["first_order_value_treated"].gt(0).eq(bought_treated).all()
    q = truth["purchase_probability_next_60d"]
    expected = np.select([kinds == "persuadable", kinds == "sleeping_dog"], [1 - q, -q], 0.0)
    assert np.allclose(truth["true_offer_uplift"], expected)
    campaign_kinds = truth["campaign_response_type"].dropna()
    assert set(campaign_kinds) == set(RESPONSE_TYPES)
    assert (truth.loc[campaign_kinds.index, "true_uplift"].where(campaign_kinds == "persuadable") > 0).sum() \
        == (campaign_kinds == "persuadable").sum()


def test_the_true_uplift_is_the_expected_difference_of_the_simulated_futures(default_log):
    truth = default_log.truth
    realised = (truth["purchases_next_60d_treated"] > 0).astype(int) - (truth["purchases_next_60d"] > 0).astype(int)
    assert realised.mean() == pytest.approx(truth["true_offer_uplift"].mean(), abs=0.02)
    # the latent purchase probability is calibrated against what the process did
    assert (truth["purchases_next_60d"] > 0).mean() == pytest.approx(truth["purchase_probability_next_60d"].mean(),
                                                                      abs=0.02)


def test_the_campaign_changes_only_what_treated_customers_do():
    on = generate(GeneratorConfig(n_customers=1500, seed=5))
    off = generate(GeneratorConfig(n_customers=1500, seed=5, campaign=False))
    assert off.campaign is None and off.truth["true_uplift"].isna().all()
    treated = on.truth["campaign_group"].eq("treatment").fillna(False).to_numpy(dtype=bool)
    columns = ["purchases_next_90d", "spend_next_365d", "alive_at_end", "rate_per_day"]
    assert on.truth.loc[~treated, columns].equals(off.truth.loc[~treated, columns])
    assert not on.truth.loc[treated, columns].equals(off.truth.loc[treated, columns])  # sleeping dogs, won back


def test_a_campaign_that_does_not_fit_the_log_is_a_clear_error():
    with pytest.raises(ValueError, match="campaign_days_before_end=120 does not fit a log of .* generator.campaign"):
        GeneratorConfig(months=3)
    assert generate(GeneratorConfig(months=3, n_customers=50, campaign=False)).campaign is None


def test_write_generated_writes_the_campaign_file_beside_the_log(tmp_path):
    path = tmp_path / "log.csv"
    write_generated(GeneratorConfig(n_customers=150, seed=2), path)
    files = companion_paths(path)
    campaign = pd.read_csv(files["campaign"], dtype=str)
    assert list(campaign.columns) == ["CustomerID", "group", "sent_at", "campaign", "discount"]
    assert (campaign["discount"] == "0.15").all() and len(campaign) > 10
    truth = pd.read_csv(files["truth"], dtype={"CustomerID": str})
    assert {"response_type", "true_uplift", "revenue_next_365d_treated", "first_order_value_treated"} <= set(truth)
    write_generated(GeneratorConfig(n_customers=150, seed=2, campaign=False), path)
    assert not files["campaign"].exists()


def test_true_incremental_profit_is_margin_on_the_gain_minus_discount_and_contact():
    truth = pd.DataFrame({
        "CustomerID": ["a", "b", "c"],
        "revenue_next_365d_control": [100.0, 0.0, 50.0],
        "revenue_next_365d_treated": [100.0, 200.0, 0.0],
        "first_order_value_treated": [40.0, 80.0, 0.0],
        "revenue_next_90d_treated": [60.0, 120.0, 0.0],
    })
    per = true_incremental_profit_by_customer(truth, ["b", "a"], discount=0.1, margin=0.4, contact_cost=1.0)
    assert list(per.index) == ["b", "a"]
    assert per.to_list() == pytest.approx([0.4 * 200 - 8 - 1, -4 - 1])
    total = true_incremental_profit(truth, ["a", "b", "c"], discount=0.1, margin=0.4, contact_cost=1.0,
                                    offer_type="all_orders", offer_months=3)
    assert total == pytest.approx((-6 - 1) + (80 - 12 - 1) + (-20 - 1))
    with pytest.raises(ValueError, match="not in the truth"):
        true_incremental_profit(truth, ["a", "z"], discount=0.1, margin=0.4, contact_cost=1.0)
    with pytest.raises(ValueError, match="twice"):
        true_incremental_profit(truth, ["a", "a"], discount=0.1, margin=0.4, contact_cost=1.0)
    with pytest.raises(ValueError, match="offer_months"):
        true_incremental_profit(truth, ["a"], discount=0.1, margin=0.4, contact_cost=1.0, offer_type="all_orders")
    with pytest.raises(ValueError, match="revenue_next_180d_treated"):
        true_incremental_profit(truth, ["a"], discount=0.1, margin=0.4, contact_cost=1.0, horizon_days=180)


def test_true_incremental_profit_of_lists_on_generated_data(default_log):
    truth = default_log.truth
    offer = {"discount": 0.15, "margin": 0.4, "contact_cost": 0.5}
    per = true_incremental_profit_by_customer(truth, **offer)
    best = per.nlargest(300).index
    assert true_incremental_profit(truth, best, **offer) == pytest.approx(per.loc[best].sum())
    persuadables = truth.loc[truth["response_type"] == "persuadable", "CustomerID"]
    sure_things = truth.loc[truth["response_type"] == "sure_thing", "CustomerID"]
    assert true_incremental_profit(truth, persuadables, **offer) > 0 > true_incremental_profit(truth, sure_things,
                                                                                                **offer)


def test_expected_uplift_from_the_latent_state_averages_to_the_true_uplift(default_log):
    from retention.generator import expected_uplift

    truth = default_log.truth.dropna(subset=["true_uplift"])
    state = expected_uplift(truth["campaign_purchase_probability"].to_numpy(), GeneratorConfig())
    assert state.mean() == pytest.approx(truth["true_uplift"].mean(), abs=0.01)
    assert np.corrcoef(state, truth["true_uplift"])[0, 1] > 0.2
