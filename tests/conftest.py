from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from retention import cli
from retention.generator import GeneratorConfig, generate
from retention.privacy import SALT_ENV


def make_lines(rows: list[tuple]) -> pd.DataFrame:
    """Canonical transactions from (InvoiceNo, StockCode, Quantity, date, UnitPrice, CustomerID) tuples."""
    df = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df["Description"] = "ITEM " + df["StockCode"].astype(str)
    df["Country"] = "United Kingdom"
    for col in ["InvoiceNo", "StockCode", "CustomerID", "Description", "Country"]:
        df[col] = df[col].astype("string")
    df["Quantity"] = df["Quantity"].astype(float)
    df["UnitPrice"] = df["UnitPrice"].astype(float)
    return df[["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
               "Country"]]


@pytest.fixture(scope="session")
def small_log():
    """A small generated log (300 customers) shared by tests that need realistic data."""
    return generate(GeneratorConfig(n_customers=300, seed=7))


@pytest.fixture
def lines():
    """Build canonical transactions from tuples: ``lines([(invoice, code, qty, date, price, customer), ...])``."""
    return make_lines


@pytest.fixture(autouse=True)
def _no_salt(monkeypatch):
    """No test inherits pseudonymisation from the shell; the tests that want it set the salt themselves."""
    monkeypatch.delenv(SALT_ENV, raising=False)


def prepared_profile(folder: Path, extra: dict[str, Any] | None = None, *, n_customers: int = 400,
                     seed: int = 5) -> tuple[Path, Path]:
    """A small generated profile in ``folder``, prepared: ``(params file, output folder)``.

    ``extra`` adds params sections (``generator`` and ``data`` sections are merged into the defaults).
    """
    extra = dict(extra or {})
    generator = {"n_customers": n_customers, "seed": seed, **extra.pop("generator", {})}
    params = folder / "small.yaml"
    data = {"path": str(folder / "data" / "log.csv"), **extra.pop("data", {})}
    params.write_text(yaml.safe_dump({"data": data, "generator": generator, **extra}))
    out = folder / "out"
    assert cli.main(["prepare", "--params", str(params), "--out", str(out)]) == 0
    return params, out
