from __future__ import annotations

import pandas as pd
import pytest

from retention.generator import GeneratorConfig, generate


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
