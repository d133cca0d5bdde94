"""The whole series (``make reports``: prepare, the notebooks through papermill, the HTML and the index) on
small and odd logs that ``prepare`` accepts: everything it accepts, the series completes (issue 12).

Marked ``series``: a minute or two per log, so ``make unit`` leaves it out and
``make test-series`` (run by CI) runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_corpus import SHORT, base_log
from test_corpus_dates import year_log

from retention import catalog

ROOT = Path(__file__).resolve().parents[1]
SERIES = list(catalog.NOTEBOOK_STEPS)


def _c_orders() -> pd.DataFrame:
    log = base_log()
    log.loc[[3, 10, 20], "InvoiceNo"] = "C" + log.loc[[3, 10, 20], "InvoiceNo"]
    return pd.concat([log, log.iloc[[30]].assign(InvoiceNo="C999999", Quantity=-6)], ignore_index=True)


def _european_export() -> pd.DataFrame:
    """A year of a Swedish shop: yy/mm/dd dates, decimal commas, common column names, placeholder ids, a line
    dated 2031 and one dated 1970."""
    log = year_log()
    log = pd.concat([log, log.iloc[[5]].assign(InvoiceDate=pd.Timestamp("2031-05-01 10:00")),
                     log.iloc[[6]].assign(InvoiceDate=pd.Timestamp("1970-01-01"))], ignore_index=True)
    log.loc[[2, 40], "CustomerID"] = "NULL"
    log["InvoiceDate"] = log["InvoiceDate"].dt.strftime("%y/%m/%d %H:%M")
    log["UnitPrice"] = log["UnitPrice"].map(lambda v: f"{v:.2f}".replace(".", ","))
    return log.rename(columns={"Quantity": "Qty", "UnitPrice": "Price Each", "InvoiceDate": "Order Date"})


CASES = {
    "tiny": (base_log, {}),  # six customers over four months: the smallest kind of log prepare accepts
    "c_orders": (_c_orders, {}),  # invoices starting with C that are orders, and one real cancellation
    "european": (_european_export, {"sep": ";"}),
}


@pytest.mark.series
@pytest.mark.parametrize("name", list(CASES))
def test_the_series_completes_on_an_accepted_odd_log(tmp_path, name):
    make, options = CASES[name]
    make().to_csv(tmp_path / f"{name}.csv", index=False, **options)
    profile = tmp_path / f"{name}.yaml"
    profile.write_text(yaml.safe_dump({"data": {"source": "file", "path": str(tmp_path / f"{name}.csv")}, **SHORT}))
    out = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    run = subprocess.run(["make", "--no-print-directory", "reports", f"PARAMS={profile}", f"OUT={out}"], cwd=ROOT,
                         capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert all((out / f"{notebook}.html").stat().st_size > 0 for notebook in catalog.NOTEBOOK_STEPS)
    for step in catalog.NOTEBOOK_STEPS:  # every product of every step is there
        for product in catalog.step(step).writes:
            path = catalog.PRODUCTS[product].path
            assert "*" in path or (out / path).exists(), f"{step} did not write {path}"
    info = json.loads((out / "work" / "prepared.json").read_text())
    predictions = pd.read_csv(out / "artifacts" / "churn_predictions.csv")
    assert len(predictions) == info["customers"]
    ledger = pd.read_csv(out / "artifacts" / "cleaning_ledger.csv").set_index("reason")["rows"]
    if name == "european":
        assert info["customers"] == 8 and ledger["far_future_date"] == 1 and ledger["far_past_date"] == 1
        assert ledger["missing_customer_id"] == 2 and info["end_date"] == "2011-12-26"
    if name == "c_orders":
        assert ledger["cancellation"] == 1 and info["rows_kept"] == 60
