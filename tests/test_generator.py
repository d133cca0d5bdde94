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
    weekday = tx.drop_duplicates("InvoiceNo")["InvoiceDate"].dt.day_of_week.value_counts()
    assert weekday.get(5, 0) < 0.05 * weekday.max()  # quiet Saturdays


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
