"""The source notebooks: stripped of outputs, one parameters cell, and in step with their percent scripts."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
from py2nb import convert  # noqa: E402


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_source_notebook_holds_no_outputs_and_one_parameters_cell(path):
    cells = json.loads(path.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "params_file" in "".join(tagged[0]["source"]) and "output_dir" in "".join(tagged[0]["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_matches_its_percent_script(path):
    script = ROOT / "notebooks" / "src" / f"{path.stem}.py"
    built = json.loads(json.dumps(convert(script.read_text(), path.stem)))
    assert json.loads(path.read_text()) == built, f"run `make notebooks` after editing {script.name}"
