"""The source notebooks: one per catalog step, paired with a percent script (jupytext), stripped of outputs, one
parameters cell, and thin: they call their stage once and only draw, format and narrate."""

import ast
import json
from pathlib import Path

import jupytext
import pytest

from retention import catalog

ROOT = Path(__file__).resolve().parents[1]
STEPS = catalog.NOTEBOOK_STEPS
ALLOWED_IMPORTS = {"retention.stages", "retention.report", "retention", "plotly.express", "plotly.graph_objects",
                   "pandas", "numpy"}
ALLOWED_FROM_RETENTION = {"stages", "report"}
FORBIDDEN_CALLS = {"fit", "fit_transform", "fit_predict", "partial_fit", "predict", "predict_proba", "to_csv",
                   "to_parquet", "to_json", "write_text", "open"}


def _script(step: str) -> Path:
    return ROOT / "notebooks" / f"{step}.py"


def test_every_step_has_a_paired_notebook_and_nothing_else_is_one():
    assert sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")) == sorted(STEPS)
    assert sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.py")) == sorted(STEPS)


@pytest.mark.parametrize("step", STEPS)
def test_source_notebook_holds_no_outputs_and_one_parameters_cell(step):
    cells = json.loads((ROOT / "notebooks" / f"{step}.ipynb").read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "params_file" in "".join(tagged[0]["source"]) and "output_dir" in "".join(tagged[0]["source"])


def _cells(notebook) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in notebook.cells]


@pytest.mark.parametrize("step", STEPS)
def test_notebook_matches_its_percent_script(step):
    script = jupytext.read(_script(step))
    notebook = jupytext.read(ROOT / "notebooks" / f"{step}.ipynb")
    assert _cells(notebook) == _cells(script), f"run `make notebooks` after editing notebooks/{step}.py"


def _imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.module == "retention":
                found += [f"retention.{alias.name}" for alias in node.names]
            else:
                found.append(node.module or "")
    return found


@pytest.mark.parametrize("step", STEPS)
def test_notebook_only_draws_formats_and_narrates(step):
    tree = ast.parse(_script(step).read_text())
    imports = _imports(tree)
    assert set(imports) <= ALLOWED_IMPORTS | {f"retention.{m}" for m in ALLOWED_FROM_RETENTION}, imports
    definitions = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef
                                                                               | ast.Lambda | ast.ClassDef)]
    assert not definitions, f"{step} defines functions or classes: {definitions}"
    calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "") for f in calls}
    assert not names & FORBIDDEN_CALLS, f"{step} computes or writes: {sorted(names & FORBIDDEN_CALLS)}"
    stage_calls = [f for f in calls if isinstance(f, ast.Attribute) and f.attr == "run"
                   and getattr(f.value, "id", "") == "stages"]
    assert len(stage_calls) == 1, f"{step} must call stages.run exactly once"
