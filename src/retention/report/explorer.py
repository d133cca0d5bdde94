"""The customer explorer: one searchable table of customers with range filters and "export the filtered rows".

Segment, churn probability, CLV, value at stake, expected loss, top reasons and recommended action in one
table (any columns a stage passes), offline: itables' bundled DataTables with its Buttons extension for the
CSV export, and a small script for the range filters (min / max per numeric column, in the units a person
reads: percent for probabilities, currency for money). Numbers stay numbers in the table, so sorting, the
filters and the export see raw values; the exported CSV keeps the machine column names of the full CSV.

At most ``max_rows`` customers are embedded: the ones with the highest ``order_by`` value, or a seeded
random sample; the table says which, and links the full CSV.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.report import labels as column_labels
from retention.report.formatting import currency_symbol, number
from retention.report.notebook import display_html
from retention.report.settings import current_settings
from retention.report.tables import (
    DEFAULT_MAX_ROWS,
    NO_VALUE,
    is_long_text,
    js_formatter,
    length_menu,
    no_nan_fallback,
)

__all__ = ["ExplorerColumn", "DEFAULT_EXPLORER_COLUMNS", "explorer_sample", "customer_explorer_html",
           "customer_explorer"]

DEFAULT_EXPLORER_COLUMNS = ("CustomerID", "Segment", "churn_probability", "clv", "value_at_stake", "expected_loss",
                            "top_reasons", "recommended_action")
_NUMERIC_UNITS = ("money", "share", "probability", "count", "days", "number")


@dataclass(frozen=True)
class ExplorerColumn:
    """One column of the explorer.

    Parameters
    ----------
    name : str
        The column of the customers frame (its machine name, kept in the export).
    label : str, optional
        The header a person reads; default from the column dictionary.
    unit : str, optional
        money, share, probability, count, days, number or text; default from the dictionary or the dtype.
    range_filter : bool, optional
        Offer a min / max filter; default: every numeric column.
    decimals : int, optional
        Decimals shown (default by unit).
    """

    name: str
    label: str | None = None
    unit: str | None = None
    range_filter: bool | None = None
    decimals: int | None = None


def _resolve(columns: Sequence[str | ExplorerColumn] | None, frame: pd.DataFrame) -> list[ExplorerColumn]:
    if columns is None:
        columns = [c for c in DEFAULT_EXPLORER_COLUMNS if c in frame.columns]
    specs = [c if isinstance(c, ExplorerColumn) else ExplorerColumn(c) for c in columns]
    missing = [s.name for s in specs if s.name not in frame.columns]
    if missing:
        raise KeyError(f"customer explorer: the customers table has no column {missing}; it has {list(frame.columns)}")
    resolved = []
    for spec in specs:
        numeric = pd.api.types.is_numeric_dtype(frame[spec.name]) and not pd.api.types.is_bool_dtype(frame[spec.name])
        unit = spec.unit or column_labels.unit(spec.name)
        if unit == "text" and numeric and spec.name not in column_labels.COLUMNS:
            unit = "count" if pd.api.types.is_integer_dtype(frame[spec.name]) else "number"
        filtered = spec.range_filter if spec.range_filter is not None else (numeric and unit in _NUMERIC_UNITS)
        resolved.append(ExplorerColumn(spec.name, spec.label or column_labels.label(spec.name), unit, filtered,
                                       spec.decimals))
    return resolved


def explorer_sample(frame: pd.DataFrame, max_rows: int = DEFAULT_MAX_ROWS, seed: int = 42,
                    order_by: str | None = None, noun: str = "customer") -> tuple[pd.DataFrame, str]:
    """At most ``max_rows`` rows and the sentence that says how they were chosen ("" when all are kept).

    With ``order_by``: the rows with its highest values (ties in the frame's order); else a seeded random
    sample kept in the frame's order.
    """
    if len(frame) <= max_rows:
        return frame, ""
    if order_by is not None:
        chosen = frame.sort_values(order_by, ascending=False, kind="stable").head(max_rows)
        return chosen, (f"Showing the {number(max_rows)} {noun}s with the highest "
                        f"{column_labels.label(order_by).lower()}, of {number(len(frame))}.")
    keep = np.sort(np.random.default_rng(seed).choice(len(frame), size=max_rows, replace=False))
    return frame.iloc[keep], (f"Showing a random sample of {number(max_rows)} of {number(len(frame))} {noun}s "
                              f"(seed {seed}).")


def itables_bundle_names() -> tuple[str, str]:
    """The window variable holding itables' offline DataTables bundle and the event fired when it is ready
    (versioned by itables: ``_itables_2_9_1``, ``itables-2.9.1-ready``)."""
    from itables import __version__

    return f"_itables_{__version__.replace('.', '_').replace('-', '_')}", f"itables-{__version__}-ready"


def _range_filters(table_id: str, specs: list[ExplorerColumn], currency: str) -> str:
    rows = []
    for index, spec in enumerate(specs):
        if not spec.range_filter:
            continue
        scale, hint = (100, "%") if spec.unit in ("share", "probability") else (1, "")
        if spec.unit == "money":
            hint = currency_symbol(currency).strip()
        name = html.escape(spec.label or spec.name)
        unit_hint = f" ({html.escape(hint)})" if hint else ""
        rows.append(
            f'<div class="range" data-column="{index}" data-scale="{scale}"><span class="range-label">{name}'
            f'{unit_hint}</span><input type="number" step="any" inputmode="decimal" placeholder="min" '
            f'aria-label="{name}, at least"><span class="range-to">to</span><input type="number" step="any" '
            f'inputmode="decimal" placeholder="max" aria-label="{name}, at most"></div>')
    if not rows:
        return ""
    return (f'<details class="explorer-filters" open><summary>Filter by range</summary>'
            f'<div class="range-grid">{"".join(rows)}</div>'
            f'<button type="button" class="clear-filters" data-table="{html.escape(table_id)}">Clear filters'
            f"</button></details>")


_FILTER_SCRIPT = """<script type="module">
(async () => {
  const box = document.getElementById(%(box)s);
  const table = document.getElementById(%(table)s);
  if (!window[%(module)s]) {
    await new Promise((resolve) => window.addEventListener(%(event)s, resolve, {once: true}));
  }
  const mod = await window[%(module)s];
  const DataTable = mod.default, $ = mod.jQuery;
  const ranges = [...box.querySelectorAll(".range")].map((el) => ({
    column: Number(el.dataset.column), scale: Number(el.dataset.scale), inputs: el.querySelectorAll("input")}));
  const bound = (input, scale) => (input.value === "" ? null : Number(input.value) / scale);
  DataTable.ext.search.push((settings, searchData, index, rowData) => {
    if (settings.nTable !== table) return true;
    return ranges.every((r) => {
      const low = bound(r.inputs[0], r.scale), high = bound(r.inputs[1], r.scale);
      if (low === null && high === null) return true;
      const value = rowData[r.column];
      if (value === null || value === "" || isNaN(value)) return false;
      return (low === null || Number(value) >= low - 1e-9) && (high === null || Number(value) <= high + 1e-9);
    });
  });
  const start = () => {
    const dt = new DataTable.Api(table);
    box.querySelectorAll(".range input").forEach((input) => input.addEventListener("input", () => dt.draw()));
    const clear = box.querySelector(".clear-filters");
    if (clear) clear.addEventListener("click", () => {
      box.querySelectorAll(".range input").forEach((input) => { input.value = ""; });
      dt.search("").draw();
    });
    box.dataset.ready = "true";
  };
  if (DataTable.isDataTable(table)) start(); else $(table).one("init.dt", start);
})();
</script>"""


def customer_explorer_html(customers: pd.DataFrame, name: str = "customer-explorer",
                           columns: Sequence[str | ExplorerColumn] | None = None, *, currency: str | None = None,
                           max_rows: int | None = None, seed: int | None = None, order_by: str | None = None,
                           csv_href: str | None = None, page_length: int = 10, noun: str = "customer") -> str:
    """The HTML of the customer explorer (see :func:`customer_explorer`)."""
    from itables import JavascriptFunction, to_html_datatable

    currency = currency or current_settings().currency
    max_rows = current_settings().max_table_rows if max_rows is None else max_rows
    seed = current_settings().sample_seed if seed is None else seed
    frame = customers
    if customers.index.name is not None and customers.index.name not in customers.columns:
        frame = customers.reset_index()
    specs = _resolve(columns, frame)
    shown, how = explorer_sample(frame, max_rows, seed, order_by, noun)
    data = shown[[s.name for s in specs]].copy()
    for spec in specs:
        if spec.unit not in _NUMERIC_UNITS and data[spec.name].isna().any():
            data[spec.name] = data[spec.name].astype(object).where(data[spec.name].notna(), NO_VALUE)
    data.columns = [s.label for s in specs]
    machine = json.dumps([s.name for s in specs])
    column_defs = [{"targets": i, "className": "dt-body-right dt-head-right num",
                    "render": JavascriptFunction(js_formatter(s.unit, currency, s.decimals))}
                   for i, s in enumerate(specs) if s.unit in _NUMERIC_UNITS]
    column_defs += [{"targets": i, "className": "long"} for i, s in enumerate(specs)
                    if s.unit not in _NUMERIC_UNITS and is_long_text(shown[s.name])]
    export = {"extend": "csvHtml5", "text": "Download the filtered rows (CSV)", "filename": f"{name}-filtered",
              "title": None, "exportOptions": {
                  "orthogonal": "export", "modifier": {"search": "applied", "order": "applied"},
                  "format": {"header": JavascriptFunction(f"function (data, column) {{ return {machine}[column]; }}")}}}
    nouns = f"{noun}s"
    markup = to_html_datatable(
        data, table_id=name, connected=False, pageLength=page_length, lengthMenu=length_menu(page_length),
        display_logo_when_loading=False, classes="display compact", style="table-layout:auto;width:100%;margin:0",
        showIndex=False, maxBytes=0, columnDefs=column_defs, buttons=[export],
        layout={"topStart": "buttons", "topEnd": "search", "bottomStart": "info", "bottomEnd": "paging",
                "top2Start": "pageLength"},
        language={"info": f"_START_ to _END_ of _TOTAL_ {nouns}", "infoEmpty": f"No {nouns} match",
                  "infoFiltered": "(filtered from _MAX_)", "lengthMenu": f"_MENU_ {nouns} per page",
                  "search": "Search:", "zeroRecords": f"No {nouns} match these filters"})
    note = html.escape(how)
    if csv_href:
        link = f'<a href="{html.escape(csv_href)}">{html.escape(csv_href.rsplit("/", 1)[-1])}</a>'
        note += (" The full list: " if how else "The same list as a file: ") + link + "."
    note_html = f'<p class="table-note">{note}</p>' if note else ""
    box_id = f"{name}-box"
    module, event = itables_bundle_names()
    script = _FILTER_SCRIPT % {"box": json.dumps(box_id), "table": json.dumps(name), "module": json.dumps(module),
                               "event": json.dumps(event)}
    return (f'<div class="explorer" id="{html.escape(box_id)}">{_range_filters(name, specs, currency)}'
            f'<div class="retention-table key-first">{no_nan_fallback(markup)}</div>'
            f"{note_html}</div>{script}")


def customer_explorer(customers: pd.DataFrame, name: str = "customer-explorer",
                      columns: Sequence[str | ExplorerColumn] | None = None, *, currency: str | None = None,
                      max_rows: int | None = None, seed: int | None = None, order_by: str | None = None,
                      csv_href: str | None = None, page_length: int = 10, noun: str = "customer") -> None:
    """Show the customer explorer.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer (an id index is turned into a column).
    name : str
        Stable element id of the table (reproducible HTML); the export is named ``<name>-filtered.csv``.
    columns : sequence of str or ExplorerColumn, optional
        The columns, in order; default :data:`DEFAULT_EXPLORER_COLUMNS` that the frame has.
    currency : str, optional
        Currency of money columns (default: the params' ``data.currency``).
    max_rows : int, optional
        Most customers embedded (default: params ``report.max_table_rows``).
    seed : int, optional
        Seed of the random sample when there are more customers and no ``order_by`` (default: params
        ``report.sample_seed``).
    order_by : str, optional
        Keep the customers with the highest values of this column instead of a random sample.
    csv_href : str, optional
        Relative link to the CSV with every customer.
    page_length : int
        Rows per page.
    noun : str
        What a row is ("customer"), for the counts under the table.
    """
    display_html(customer_explorer_html(customers, name, columns, currency=currency, max_rows=max_rows, seed=seed,
                                        order_by=order_by, csv_href=csv_href, page_length=page_length, noun=noun))
