"""Where the project lives, so notebooks run by papermill or nbval resolve the same paths."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "resolve"]


def project_root() -> Path:
    """The folder holding ``pyproject.toml``.

    ``RETENTION_ROOT`` wins; otherwise the editable install's source tree; otherwise the nearest
    parent of the working directory with a ``pyproject.toml``. nbval runs a notebook's kernel in the
    notebook's own folder, so paths must never be taken relative to the working directory.
    """
    env = os.environ.get("RETENTION_ROOT")
    if env:
        return Path(env).resolve()
    source_tree = Path(__file__).resolve().parents[2]
    if (source_tree / "pyproject.toml").exists():
        return source_tree
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").exists():
            return folder
    return here


def resolve(path: str | Path) -> Path:
    """An absolute path: relative ones are taken from the project root."""
    p = Path(path)
    return p if p.is_absolute() else project_root() / p
