"""Tables that fit: interactive (itables, offline) and static HTML, formatted, with a stated row cap.

Every table sits in a box that scrolls sideways when the table is wider than the column (a phone), with its
key (first) column frozen; numbers are right-aligned and formatted by unit (money with the currency,
shares as percentages, counts with separators); missing values read "—", never "NaN"; headers are human
labels when asked (``labels=True``). At most ``max_rows`` rows are embedded, and the table says so and
links the full CSV.

Interactive tables keep numbers as numbers (sorting, filtering and CSV export see raw values) and format
them in the browser with :func:`js_formatter`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from retention.report import labels as column_labels
from retention.report.formatting import MISSING, currency_symbol, format_value, number
from retention.report.notebook import display_html
from retention.report.settings import ReportSettings, current_settings

__all__ = ["DEFAULT_MAX_ROWS", "STATIC_MAX_ROWS", "NO_VALUE", "column_units", "js_formatter", "length_menu",
           "rows_note", "no_nan_fallback", "is_long_text", "show_table", "table_html", "show_static_table",
           "static_table_html"]

DEFAULT_MAX_ROWS = ReportSettings.max_table_rows  # params report.max_table_rows
STATIC_MAX_ROWS = 60
NO_VALUE = "—"
_NUMBER_TEXT = re.compile(r"^[-+−]?\s?(?:[A-Z]{3}\s|[£$€¥]|A\$|C\$|CHF\s)?[-+]?[\d,]*\.?\d+\s?(?:%|pp|k|M|x|×)?$")
_LONG_TEXT = 40  # mean characters above which a text column gets room to wrap


def column_units(frame: pd.DataFrame, units: Mapping[str, str] | None = None) -> dict[str, str]:
    """The unit of each numeric column: given, else from the column dictionary (whose text columns, such as
    ids, stay unformatted), else count for integers and number for the rest."""
    units = dict(units or {})
    found = {}
    for name in frame.columns:
        series = frame[name]
        known = column_labels.COLUMNS.get(name)
        if name in units:
            found[name] = units[name]
        elif pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        elif known is not None:
            if known.unit not in ("text", "date"):  # ids and codes stay as written
                found[name] = known.unit
        else:
            found[name] = "count" if pd.api.types.is_integer_dtype(series) else "number"
    return found


def js_formatter(unit: str, currency: str = "GBP", decimals: int | None = None) -> str:
    """A DataTables render function that formats a number for display only (sort, filter and export see it raw)."""
    prefix, suffix, scale = "", "", 1
    if unit == "money":
        prefix, places = currency_symbol(currency), 2 if decimals is None else decimals
    elif unit in ("share", "probability"):
        suffix, scale, places = "%", 100, 1 if decimals is None else decimals
    elif unit in ("count", "days"):
        places = decimals or 0
    else:
        places = 2 if decimals is None else decimals
    return (
        "function (data, type) { if (type !== 'display') { return data; } "
        f"if (data === null || data === undefined || data === '' || isNaN(data)) {{ return '{NO_VALUE}'; }} "
        f"var v = Number(data) * {scale}; var s = Math.abs(v).toLocaleString('en-US', "
        f"{{minimumFractionDigits: {places}, maximumFractionDigits: {places}}}); "
        f"return (v < 0 ? '-' : '') + {json.dumps(prefix)} + s + {json.dumps(suffix)}; }}"
    )


def length_menu(page_length: int) -> list[int]:
    """The "entries per page" choices, always including the table's own page length (else the menu is blank)."""
    return sorted({10, 25, 50, 100, int(page_length)})


def rows_note(shown: int, total: int, csv_href: str | None = None, noun: str = "row", how: str = "the first") -> str:
    """The sentence that states a row cap, with the link to the full list; "" when every row is shown."""
    if shown >= total:
        return ""
    link = f' The full list: <a href="{html.escape(csv_href)}">{html.escape(csv_href.rsplit("/", 1)[-1])}</a>.' \
        if csv_href else ""
    return f"Showing {how} {number(shown)} of {number(total)} {noun}s.{link}"


def _fill_text(frame: pd.DataFrame, numeric: Iterable[str]) -> pd.DataFrame:
    """Missing text reads "—" (pandas would print NaN, None or <NA>)."""
    out = frame.copy()
    for name in out.columns:
        if name not in numeric and out[name].isna().any():
            out[name] = out[name].astype(object).where(out[name].notna(), NO_VALUE)
    return out


def no_nan_fallback(markup: str) -> str:
    """itables' static preview (shown only without JavaScript) prints missing numbers as NaN: read "—" there too."""
    return markup.replace(">NaN</td>", f">{NO_VALUE}</td>").replace(">nan</td>", f">{NO_VALUE}</td>")


def table_html(df: pd.DataFrame, name: str, caption: str | None = None, page_length: int = 10, *,
               max_rows: int | None = None, csv_href: str | None = None, labels: bool = True,
               units: Mapping[str, str] | None = None, currency: str | None = None, key_column: bool = True,
               **options: Any) -> str:
    """The HTML of an interactive table (see :func:`show_table`)."""
    from itables import JavascriptFunction, to_html_datatable

    currency = currency or current_settings().currency
    max_rows = current_settings().max_table_rows if max_rows is None else max_rows
    total = len(df)
    frame = df.head(max_rows)
    found_units = column_units(frame, units)
    frame = _fill_text(frame, found_units)
    column_defs = [{"targets": i, "render": JavascriptFunction(js_formatter(
                        found_units[c], currency, 0 if pd.api.types.is_integer_dtype(frame[c]) else None)),
                    "className": "dt-body-right dt-head-right num"}
                   for i, c in enumerate(frame.columns) if c in found_units]
    column_defs += [{"targets": i, "className": "long"} for i, c in enumerate(frame.columns)
                    if c not in found_units and is_long_text(frame[c])]
    if labels:
        frame = column_labels.human_columns(frame)
    options.setdefault("lengthMenu", length_menu(page_length))
    options.setdefault("style", "table-layout:auto;width:100%;margin:0")
    markup = to_html_datatable(frame, table_id=name, caption=caption, connected=False, pageLength=page_length,
                               display_logo_when_loading=False, classes="display compact",
                               columnDefs=column_defs + list(options.pop("columnDefs", [])), **options)
    note = rows_note(len(frame), total, csv_href)
    classes = "retention-table key-first" if key_column else "retention-table"
    note_html = f'<p class="table-note">{note}</p>' if note else ""
    return f'<div class="{classes}">{no_nan_fallback(markup)}</div>{note_html}'


def show_table(df: pd.DataFrame, name: str, caption: str | None = None, page_length: int = 10, *,
               max_rows: int | None = None, csv_href: str | None = None, labels: bool = True,
               units: Mapping[str, str] | None = None, currency: str | None = None, key_column: bool = True,
               **options: Any) -> None:
    """Show a searchable, sortable table (itables, offline) with a stable id.

    Parameters
    ----------
    df : pandas.DataFrame
        The rows, in the order to show; at most ``max_rows`` of them are embedded (stated under the table).
    name : str
        Stable element id (reproducible HTML).
    caption : str, optional
        Caption under the table.
    page_length : int
        Rows per page (always one of the "entries per page" choices).
    max_rows : int, optional
        Most rows embedded (default: params ``report.max_table_rows``); the note links ``csv_href`` for the rest.
    csv_href : str, optional
        Relative link to the CSV with every row.
    labels : bool
        Show human column labels from the column dictionary instead of machine names.
    units : dict, optional
        Unit per column (money, share, probability, count, days, number), overriding the dictionary.
    currency : str, optional
        Currency of money columns (default: the params' ``data.currency``).
    key_column : bool
        Freeze the first column when the table scrolls sideways.
    **options
        Further itables / DataTables options (e.g. ``column_filters="footer"``).
    """
    display_html(table_html(df, name, caption, page_length, max_rows=max_rows, csv_href=csv_href, labels=labels,
                            units=units, currency=currency, key_column=key_column, **options))


def _looks_numeric(series: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return True
    text = series.dropna().astype(str).str.strip()
    text = text[(text != "") & (text != NO_VALUE) & (text != MISSING)]
    return bool(len(text)) and bool(text.map(lambda s: bool(_NUMBER_TEXT.match(s))).all())


def is_long_text(series: pd.Series) -> bool:
    """Sentences rather than names: worth a wider column that wraps (instead of one word per line)."""
    text = series.dropna().astype(str)
    return bool(len(text)) and text.str.len().mean() > _LONG_TEXT


def _cell(value: Any, unit: str | None, currency: str) -> str:
    if unit is not None and not isinstance(value, str):
        text = format_value(value, unit, currency)
    else:
        text = NO_VALUE if (value is None or (not isinstance(value, str) and pd.isna(value))) else str(value)
    return NO_VALUE if text == MISSING else text


def static_table_html(df: pd.DataFrame, numeric: Iterable[str] = (), *, max_rows: int = STATIC_MAX_ROWS,
                      csv_href: str | None = None, labels: bool = False, units: Mapping[str, str] | None = None,
                      currency: str | None = None, key_column: bool = True, caption: str | None = None,
                      noun: str = "row") -> str:
    """The HTML of a static table (see :func:`show_static_table`)."""
    currency = currency or current_settings().currency
    total = len(df)
    frame = df.head(max_rows)
    raw_units = column_units(frame, units)
    numeric = set(numeric) | {c for c in frame.columns if _looks_numeric(frame[c])}
    long_text = {c for c in frame.columns if c not in numeric and is_long_text(frame[c])}
    heads = {c: column_labels.label(c) if labels else str(c) for c in frame.columns}

    def cls(c: str) -> str:
        return "num" if c in numeric else "long" if c in long_text else ""

    head = "".join(f'<th class="{cls(c)}">{html.escape(heads[c])}</th>' for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{cls(c)}">{html.escape(_cell(v, raw_units.get(c), currency))}</td>'
                         for c, v in zip(frame.columns, row, strict=True)) + "</tr>"
        for row in frame.itertuples(index=False))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table_class = "static-table key-first" if key_column and len(frame.columns) > 1 else "static-table"
    note = rows_note(len(frame), total, csv_href, noun)
    return (f'<div class="scroll-x table-wrap"><table class="{table_class}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>" + (f'<p class="table-note">{note}</p>' if note else ""))


def show_static_table(df: pd.DataFrame, numeric: Iterable[str] = (), *, max_rows: int = STATIC_MAX_ROWS,
                      csv_href: str | None = None, labels: bool = False, units: Mapping[str, str] | None = None,
                      currency: str | None = None, key_column: bool = True, caption: str | None = None,
                      noun: str = "row") -> None:
    """Show a short table as plain HTML (no search box), compact, numbers right-aligned and formatted.

    ``numeric`` names columns to right-align; numeric columns and columns of formatted numbers ("£1,234",
    "25.3%") are found by themselves. Raw numbers are formatted by unit (``units``, else the column
    dictionary); text columns with long sentences get room to wrap; missing values read "—". At most
    ``max_rows`` rows are shown, with a note and the ``csv_href`` link when there are more. ``labels=True``
    turns machine column names into human labels. The table scrolls sideways inside its own box on a narrow
    screen, with its first column frozen (``key_column``).
    """
    display_html(static_table_html(df, numeric, max_rows=max_rows, csv_href=csv_href, labels=labels, units=units,
                                   currency=currency, key_column=key_column, caption=caption, noun=noun))
