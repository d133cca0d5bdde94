"""The catalog: one writer per product, readers after writers, declarations that match the notebooks, stamps."""

import json
from pathlib import Path

import pytest

from retention import catalog
from retention.params import load_params
from retention.privacy import SALT_ENV

ROOT = Path(__file__).resolve().parents[1]


def test_every_product_has_one_writer_and_is_read_only_after_it():
    for name in catalog.PRODUCTS:
        catalog.producer(name)
    order = list(catalog.STEPS)
    for s in catalog.STEPS.values():
        for product in s.reads:
            assert order.index(catalog.producer(product)) < order.index(s.name), (s.name, product)


def test_downstream_follows_the_data_flow():
    assert catalog.downstream("01_eda") == ["01_eda"]
    assert catalog.downstream("03_churn_model") == ["03_churn_model", "06_campaigns", "07_executive_summary"]
    assert catalog.downstream("04_customer_value") == ["04_customer_value", "05_experiments", "06_campaigns",
                                                       "07_executive_summary"]
    assert catalog.downstream("06_campaigns") == ["06_campaigns", "07_executive_summary"]
    assert catalog.downstream("07_executive_summary") == ["07_executive_summary"]


def test_makefile_rules_list_each_edge():
    rules = catalog.makefile_rules("OUT")
    assert "OUT/notebooks/04_customer_value.ipynb: OUT/work/params/04_customer_value.json " \
           "OUT/notebooks/02_segmentation.ipynb\n" in rules
    assert "OUT/notebooks/01_eda.ipynb: OUT/work/params/01_eda.json\n" in rules
    assert "SERIES := " + " ".join(catalog.NOTEBOOK_STEPS) in rules


def _leaves(params, prefix=""):
    for key, value in params.items():
        if isinstance(value, dict) and prefix == "":
            yield from _leaves(value, f"{key}.")
        else:
            yield f"{prefix}{key}"


@pytest.fixture
def params(monkeypatch):
    monkeypatch.delenv(SALT_ENV, raising=False)
    return load_params(ROOT / "params" / "default.yaml")


def test_stamps_are_rewritten_only_for_the_steps_that_read_a_changed_key(params, tmp_path):
    assert catalog.write_param_stamps(params, tmp_path) == list(catalog.NOTEBOOK_STEPS)
    assert catalog.write_param_stamps(params, tmp_path) == []
    for dotted in _leaves(params):
        section, key = dotted.split(".")
        changed = json.loads(json.dumps(params, default=str))
        changed[section][key] = ["a value no profile has"]
        readers = [s for s in catalog.NOTEBOOK_STEPS
                   if dotted in catalog.step(s).params or section in catalog.step(s).params
                   or dotted == "report.customer_id_salt" and catalog.step(s).writes_ids]
        copy = tmp_path / dotted
        catalog.write_param_stamps(params, copy)
        assert catalog.write_param_stamps(changed, copy) == readers, dotted


def test_switching_pseudonymisation_changes_the_stamps_of_the_steps_that_write_ids(params, tmp_path, monkeypatch):
    catalog.write_param_stamps(params, tmp_path)
    monkeypatch.setenv(SALT_ENV, "a secret salt")
    writers = [s for s in catalog.NOTEBOOK_STEPS if catalog.step(s).writes_ids]
    assert writers == ["02_segmentation", "03_churn_model", "04_customer_value", "05_experiments", "06_campaigns"]
    assert catalog.write_param_stamps(params, tmp_path) == writers
    monkeypatch.setenv(SALT_ENV, "another salt")
    assert catalog.write_param_stamps(params, tmp_path) == writers
    stamps = "".join(p.read_text() for p in (tmp_path / "work" / "params").glob("*.json"))
    assert "secret" not in stamps and "another" not in stamps and '"pseudonymised": true' in stamps
