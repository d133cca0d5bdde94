"""The catalog: one writer per product, readers after writers, declarations that match the notebooks, stamps."""

import json
import re
from pathlib import Path

import pytest

from retention import catalog
from retention.params import load_params
from retention.privacy import SALT_ENV

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {name: (ROOT / "notebooks" / "src" / f"{name}.py").read_text() for name in catalog.NOTEBOOK_STEPS}


def _product_by_path(path: str) -> str:
    for product in catalog.PRODUCTS.values():
        if re.fullmatch(product.path.replace(".", r"\.").replace("*", ".*"), path):
            return product.name
    raise AssertionError(f"{path} is written or read by a notebook but not declared in the catalog")


def _io_calls(source: str) -> tuple[set[str], set[str]]:
    """Products a notebook writes and reads, from its pipeline calls with literal names."""
    writes, reads = set(), set()
    for kind, name in re.findall(r"write_(artifact|stage|work_table|work_json)\(.*?output_dir, \"([^\"]+)\"", source,
                                  flags=re.S):
        writes.add({"artifact": f"artifacts/{name}", "stage": f"work/stage_{name}.parquet",
                    "work_table": f"work/{name}.parquet", "work_json": f"work/{name}.json"}[kind])
    for kind, name in re.findall(r"read_(stage|work_table|work_json)\(output_dir, \"([^\"]+)\"", source):
        reads.add({"stage": f"work/stage_{name}.parquet", "work_table": f"work/{name}.parquet",
                   "work_json": f"work/{name}.json"}[kind])
    if "write_enhanced(" in source:
        writes.add("artifacts/enhanced_customer_data.csv")
    if "churn_summary.json" in source:
        writes.add("artifacts/churn_summary.json")
    if 'write_artifact(members, output_dir, file)' in source:
        writes.add("artifacts/segment_x.csv")
    return {_product_by_path(p) for p in writes}, {_product_by_path(p) for p in reads}


def test_every_product_has_one_writer_and_is_read_only_after_it():
    for name in catalog.PRODUCTS:
        catalog.producer(name)
    order = list(catalog.STEPS)
    for s in catalog.STEPS.values():
        for product in s.reads:
            assert order.index(catalog.producer(product)) < order.index(s.name), (s.name, product)


@pytest.mark.parametrize("name", catalog.NOTEBOOK_STEPS)
def test_notebook_io_matches_its_declaration(name):
    writes, reads = _io_calls(SOURCES[name])
    declared = catalog.step(name)
    assert writes == set(declared.writes)
    assert reads <= set(declared.reads)
    assert ("load_prepared(" in SOURCES[name]) == ({"prepared.info", "prepared.transactions"} <= set(declared.reads))


_ALIASES = {"cp": None, "rp_": "roi", "seg_params": "segmentation"}


def _params_used(source: str) -> set[str]:
    """Dotted params keys a notebook reads (directly or through a section alias such as ``cp = params["churn"]``)."""
    aliases = {alias: section for alias, section in re.findall(r"^(\w+) = params\[\"(\w+)\"\]$", source, flags=re.M)}
    used = {f"{a}.{b}" for a, b in re.findall(r"params\[\"(\w+)\"\]\[\"(\w+)\"\]", source)}
    for alias, section in aliases.items():
        used |= {f"{section}.{key}" for key in re.findall(rf"\b{alias}\[\"(\w+)\"\]", source)}
    if "load_truth(params)" in source:
        used |= {"data.source", "data.path"}
    return used


@pytest.mark.parametrize("name", catalog.NOTEBOOK_STEPS)
def test_notebook_reads_only_declared_params(name):
    declared = catalog.step(name).params
    undeclared = [key for key in _params_used(SOURCES[name])
                  if key not in declared and key.split(".")[0] not in declared]
    assert not undeclared, f"{name} reads params keys its catalog step does not declare: {undeclared}"


def test_downstream_follows_the_data_flow():
    assert catalog.downstream("01_eda") == ["01_eda"]
    assert catalog.downstream("02_segmentation") == ["02_segmentation", "04_clv_roi", "05_executive_summary"]
    assert catalog.downstream("03_churn_model") == ["03_churn_model", "04_clv_roi", "05_executive_summary"]
    assert catalog.downstream("05_executive_summary") == ["05_executive_summary"]


def test_makefile_rules_list_each_edge():
    rules = catalog.makefile_rules("OUT")
    assert "OUT/notebooks/04_clv_roi.ipynb: OUT/work/params/04_clv_roi.json OUT/notebooks/02_segmentation.ipynb " \
           "OUT/notebooks/03_churn_model.ipynb" in rules
    assert "OUT/notebooks/01_eda.ipynb: OUT/work/params/01_eda.json\n" in rules


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
    assert writers == ["02_segmentation", "03_churn_model", "04_clv_roi"]
    assert catalog.write_param_stamps(params, tmp_path) == writers
    monkeypatch.setenv(SALT_ENV, "another salt")
    assert catalog.write_param_stamps(params, tmp_path) == writers
    stamps = "".join(p.read_text() for p in (tmp_path / "work" / "params").glob("*.json"))
    assert "secret" not in stamps and "another" not in stamps and '"pseudonymised": true' in stamps
