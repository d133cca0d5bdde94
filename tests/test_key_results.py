"""Regression review: a default run reproduces the committed key results (results/key_results.json).

Skipped when no default run exists. After an intended change of numbers, run `make results` and commit
the new file: its diff is the review of what the change did to the decisions.
"""

import json
import math
from pathlib import Path

import pytest

from retention.site import key_results

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "reports"
COMMITTED = ROOT / "results" / "key_results.json"
pytestmark = pytest.mark.skipif(not (RUN / "work" / "executive_summary.json").exists(), reason="no default run")


def _compare(expected, actual, path="") -> list[str]:
    if isinstance(expected, dict):
        keys = set(expected) | set(actual)
        return [d for k in sorted(keys) for d in (_compare(expected.get(k), actual.get(k), f"{path}.{k}")
                                                   if k in expected and k in actual else [f"{path}.{k}: missing"])]
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{path}: {expected} != {actual}"]
        pairs = enumerate(zip(expected, actual, strict=True))
        return [d for i, (e, a) in pairs for d in _compare(e, a, f"{path}[{i}]")]
    if isinstance(expected, float) and isinstance(actual, int | float):
        return [] if math.isclose(expected, actual, rel_tol=1e-6, abs_tol=1e-9) else [f"{path}: {expected} != {actual}"]
    return [] if expected == actual else [f"{path}: {expected!r} != {actual!r}"]


def test_default_run_reproduces_the_committed_key_results():
    expected = json.loads(COMMITTED.read_text())
    actual = json.loads(json.dumps(key_results(RUN)))
    differences = _compare(expected, actual)
    assert not differences, "key results changed (run `make results` if intended):\n" + "\n".join(differences[:20])
