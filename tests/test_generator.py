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
