"""Tables: interactive (itables, offline) and static HTML tables."""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from retention.report.notebook import display_html

__all__ = ["show_table", "show_static_table"]


def show_table(df: pd.DataFrame, name: str, caption: str | None = None, page_length: int = 10,
               **options) -> None:
    """Show a searchable, sortable table (itables, offline) with a stable id."""
    from itables import to_html_datatable

    markup = to_html_datatable(df, table_id=name, caption=caption, connected=False, pageLength=page_length,
                               display_logo_when_loading=False, classes="display compact", **options)
    display_html(markup)


def show_static_table(df: pd.DataFrame, numeric: Iterable[str] = ()) -> None:
    """Show a short table as plain HTML (no search box), numbers right-aligned."""
    numeric = set(numeric)
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{html.escape(str(c))}</th>' for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if c in numeric else ""}">{html.escape(str(v))}</td>'
                         for c, v in zip(df.columns, row, strict=True)) + "</tr>"
        for row in df.itertuples(index=False))
    display_html(f'<table class="static-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


