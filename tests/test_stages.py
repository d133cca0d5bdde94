"""The whole series in-process on a small generated profile: every stage runs, keeps its catalog declaration
(params read, products read and written), and reproduces its CSV artifacts byte for byte."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from conftest import prepared_profile

from retention import catalog, stages


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    folder = tmp_path_factory.mktemp("series")
    params, out = prepared_profile(folder)
    results, reads = {}, {}
    for step in catalog.NOTEBOOK_STEPS:
        ctx = stages.open_context(step, str(params), out)
        results[step] = stages.run_in(ctx)
        reads[step] = ctx.params_read
    return params, out, results, reads



def test_every_stage_returns_a_frozen_result_and_writes_its_products(series):
    _, out, results, _ = series
    for step, result in results.items():
        assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen, step
        for name in catalog.step(step).writes:
            path = catalog.PRODUCTS[name].path
            if "*" not in path:
                assert (out / path).exists(), f"{step} did not write {path}"


def _section_read(key: str, read: frozenset[str]) -> bool:
    return any(r == key or r.startswith(f"{key}.") or key.startswith(f"{r}.") for r in read)


def test_every_declared_params_key_is_read(series):
    """Declarations are tight: a key a step declares but never reads would rerun it for nothing."""
    _, _, _, reads = series
    unread = {step: [k for k in catalog.step(step).params if not _section_read(k, reads[step])]
              for step in catalog.NOTEBOOK_STEPS}
    assert not {s: k for s, k in unread.items() if k}, unread


def _digests(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((out / "artifacts").glob("*.csv"))}


def test_rerunning_every_stage_reproduces_the_csv_artifacts_byte_for_byte(series):
    params, out, _, _ = series
    before = _digests(out)
    for step in catalog.NOTEBOOK_STEPS:
        stages.run(step, str(params), out)
    assert _digests(out) == before


def test_a_stage_may_not_read_or_write_undeclared_products(series):
    params, out, _, _ = series
    ctx = stages.open_context("01_eda", str(params), out)
    with pytest.raises(stages.StageError, match="does not declare"):
        ctx.read("churn.customers")
    with pytest.raises(stages.StageError, match="does not declare"):
        ctx.write("kpis", {})


def test_reading_an_undeclared_params_key_fails_the_run(series):
    params, out, _, _ = series
    ctx = stages.open_context("01_eda", str(params), out)
    assert ctx.params.churn.horizon_days == 90
    with pytest.raises(stages.StageError, match=r"churn\.horizon_days"):
        ctx.finish()
