"""Build a notebook from a percent-format script (``# %%`` cells), the form the notebooks are edited in.

usage: python tools/py2nb.py notebooks/src/01_eda.py notebooks/01_eda.ipynb

Cell markers: ``# %% [markdown]`` (the following comment lines are Markdown), ``# %% tags=["parameters"]``,
and ``# %%``. Outputs are never stored: results live in reports/.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat


def convert(source: str, stem: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    blocks = re.split(r"^# %%(.*)$", source, flags=re.M)
    for header, body in zip(blocks[1::2], blocks[2::2], strict=True):
        body = body.strip("\n")
        if "[markdown]" in header:
            text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in body.splitlines())
            cell = nbformat.v4.new_markdown_cell(text)
        else:
            cell = nbformat.v4.new_code_cell(body)
            tags = re.search(r"tags=(\[.*\])", header)
            if tags:
                cell.metadata["tags"] = json.loads(tags.group(1))
        cell["id"] = f"{stem}-{len(nb.cells):02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main() -> None:
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    nb = convert(src.read_text(), dst.stem)
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
