"""One library call per notebook: ``stages.run(step, params_file, output_dir)`` computes everything the notebook
shows and writes its products; the notebook only draws, formats and narrates the typed result it returns.

Each step of :mod:`retention.catalog` has a module here with ``run(ctx) -> <Name>Result``; the result is a frozen
dataclass holding every table and number the notebook shows. Re-executing a notebook (as nbval does) runs its
stage again, so a reviewer verifies the computation, not a cache.
"""

from __future__ import annotations

import dataclasses
import importlib
import warnings
from pathlib import Path
from typing import Any

from retention.stages.context import Context, RecordingParams, StageError, open_context

__all__ = ["MODULES", "Context", "RecordingParams", "StageError", "open_context", "run", "run_in"]

MODULES: dict[str, str] = {
    "01_eda": "retention.stages.eda",
    "02_segmentation": "retention.stages.segments",
    "03_churn_model": "retention.stages.churn",
    "04_customer_value": "retention.stages.value",
    "05_experiments": "retention.stages.experiments",
    "06_campaigns": "retention.stages.campaigns",
    "07_executive_summary": "retention.stages.summary",
}
"""The module that computes each notebook step."""


def run_in(ctx: Context) -> Any:
    """Run the stage of ``ctx.step`` and check its declaration (:meth:`Context.finish`).

    Warnings the libraries raise while the stage runs (e.g. a parameter the data cannot pin down) do not go to
    stderr, where they would land in the report as raw text: they are collected, once each, into the result's
    ``warnings`` field, for the notebook to state in plain words.
    """
    module = importlib.import_module(MODULES[ctx.step.name])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = module.run(ctx)
        finally:
            ctx.close()
    ctx.finish()
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    return dataclasses.replace(result, warnings=messages)


def run(step: str, params_file: str | Path, output_dir: str | Path) -> Any:
    """Compute notebook ``step`` of the profile ``params_file`` into ``output_dir``; return its typed result."""
    return run_in(open_context(step, str(params_file), output_dir))
