"""The what-if explorer: pick a target pool, N, discount and offer type; read net profit, ROI and chance of loss.

Every combination is precomputed (``retention.roi.what_if_grid``) and embedded as compact JSON, so the explorer
works offline in a static report: dropdowns choose the cell, a small script shows its numbers as big figures,
and a second panel shows the same offer on the comparison pool (the profit-maximising list) for the same N. The
first render is made in Python from the default cell, so the page reads the same without JavaScript and
reproduces byte for byte.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from retention.report.formatting import MISSING, currency_symbol, money, number, pct
from retention.report.notebook import display_html
from retention.report.settings import current_settings
from retention.report.theme import GAIN, LOSS

__all__ = ["what_if_explorer_html", "what_if_explorer"]

_COLUMNS = ("targeted", "net_profit", "roi", "p_loss", "break_even_uplift", "total_cost")
_OFFER_TYPE_LABELS = {"next_order": "Off the next order", "all_orders": "Off all orders for {months} months"}


def _plain(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def _cell_html(row: Mapping[str, Any] | None, title: str, currency: str, prefix: str) -> str:
    """One panel of big numbers (the same markup the script fills in)."""
    if row is None:
        values = {k: MISSING for k in _COLUMNS}
        tone = ""
    else:
        net = row["net_profit"]
        values = {"targeted": number(row["targeted"]), "net_profit": money(net, currency, 0),
                  "roi": pct(row["roi"], 0), "p_loss": pct(row["p_loss"], 0),
                  "break_even_uplift": pct(row["break_even_uplift"]) if np.isfinite(row["break_even_uplift"])
                  else "never", "total_cost": money(row["total_cost"], currency, 0)}
        tone = GAIN if net > 0 else LOSS
    facts = [("net_profit", "Expected net profit", f' style="color:{tone}"' if tone else ""),
             ("roi", "Return on cost", ""), ("p_loss", "Chance of a loss", ""),
             ("targeted", "Customers contacted", ""), ("break_even_uplift", "Break-even uplift", ""),
             ("total_cost", "Total cost", "")]
    cards = "".join(f'<div class="kpi"><div class="label">{html.escape(label)}</div>'
                    f'<div class="value" data-key="{key}"{style}>{html.escape(values[key])}</div></div>'
                    for key, label, style in facts)
    return (f'<div class="whatif-panel" id="{prefix}"><h4 data-key="title">{html.escape(title)}</h4>'
            f'<div class="kpis" data-count="6">{cards}</div></div>')


def _select(name: str, label: str, options: Sequence[tuple[str, str]], chosen: str) -> str:
    items = "".join(f'<option value="{html.escape(v)}"{" selected" if v == chosen else ""}>{html.escape(t)}</option>'
                    for v, t in options)
    return (f'<label class="whatif-control"><span>{html.escape(label)}</span>'
            f'<select data-axis="{name}">{items}</select></label>')


_SCRIPT = """<script type="text/javascript">
(function () {
  var box = document.getElementById(%(box)s);
  if (!box) { return; }
  var data = %(data)s;
  var fmt = function (v, kind) {
    if (v === null || v === undefined || isNaN(v)) { return kind === "break_even_uplift" ? "never" : "n/a"; }
    if (kind === "net_profit" || kind === "total_cost") {
      var s = Math.round(Math.abs(v)).toLocaleString("en-GB");
      return (v < 0 ? "-" : "") + data.symbol + s;
    }
    if (kind === "targeted") { return Math.round(v).toLocaleString("en-GB"); }
    if (kind === "break_even_uplift") { return (100 * v).toFixed(1) + "%%"; }
    return (100 * v).toFixed(0) + "%%";
  };
  var pick = function (pool, n, d, t) {
    for (var i = 0; i < data.rows.length; i++) {
      var r = data.rows[i];
      if (r[0] === pool && r[1] === n && r[2] === d && r[3] === t) { return r; }
    }
    return null;
  };
  var fill = function (panel, row, title) {
    panel.querySelector('[data-key="title"]').textContent = title;
    var keys = data.columns;
    for (var k = 0; k < keys.length; k++) {
      var el = panel.querySelector('[data-key="' + keys[k] + '"]');
      if (!el) { continue; }
      var v = row ? row[4 + k] : null;
      el.textContent = fmt(v, keys[k]);
      if (keys[k] === "net_profit") { el.style.color = (v !== null && v > 0) ? data.gain : data.loss; }
    }
  };
  var update = function () {
    var axis = {};
    box.querySelectorAll("select[data-axis]").forEach(function (s) { axis[s.dataset.axis] = s.value; });
    var n = parseInt(axis.top_n, 10), d = parseFloat(axis.discount);
    var main = pick(axis.pool, n, d, axis.offer_type);
    var other = pick(data.compare, n, d, axis.offer_type);
    var top = ", top " + n.toLocaleString("en-GB");
    var capped = main && main[4] < n ? " (the whole pool: " + Math.round(main[4]).toLocaleString("en-GB") + ")" : "";
    fill(box.querySelector(".whatif-main"), main, data.labels[axis.pool] + top + capped);
    fill(box.querySelector(".whatif-compare"), other, data.labels[data.compare] + top);
  };
  box.querySelectorAll("select[data-axis]").forEach(function (s) { s.addEventListener("change", update); });
})();
</script>"""


def what_if_explorer_html(grid: pd.DataFrame, name: str = "what-if", *, pool_labels: Mapping[str, str],
                          default: Mapping[str, Any], compare_pool: str = "profit_maximising",
                          offer_months: int | None = None, currency: str | None = None, note: str = "") -> str:
    """The HTML of the what-if explorer (see :func:`what_if_explorer`)."""
    currency = currency or current_settings().currency
    pools = [p for p in dict.fromkeys(grid["pool"]) if p in pool_labels]
    ns = sorted({int(n) for n in grid["top_n"]})
    discounts = sorted({round(float(d), 6) for d in grid["discount"]})
    types = list(dict.fromkeys(grid["offer_type"]))
    rows = [[str(r.pool), int(r.top_n), round(float(r.discount), 6), str(r.offer_type),
             *(_plain(getattr(r, c)) for c in _COLUMNS)] for r in grid.itertuples(index=False)]
    lookup = {tuple(r[:4]): dict(zip(_COLUMNS, r[4:], strict=True)) for r in rows}

    def cell(pool: str) -> dict[str, float] | None:
        found = lookup.get((pool, int(default["top_n"]), round(float(default["discount"]), 6),
                            str(default["offer_type"])))
        return None if found is None else {k: (np.nan if v is None else v) for k, v in found.items()}

    n0 = int(default["top_n"])
    main = cell(str(default["pool"]))
    capped = (f" (the whole pool: {number(main['targeted'])})" if main is not None and main["targeted"] < n0 else "")
    type_label = {t: _OFFER_TYPE_LABELS.get(t, t).format(months=offer_months) for t in types}
    controls = "".join([
        _select("pool", "Who", [(p, pool_labels[p]) for p in pools], str(default["pool"])),
        _select("top_n", "How many", [(str(n), number(n)) for n in ns], str(n0)),
        _select("discount", "Discount", [(f"{d:g}", pct(d, 0)) for d in discounts], f"{float(default['discount']):g}"),
        _select("offer_type", "Offer", [(t, type_label[t]) for t in types], str(default["offer_type"])),
    ])
    box = f"{name}-box"
    data = {"rows": rows, "columns": list(_COLUMNS), "labels": {p: pool_labels[p] for p in pools},
            "compare": compare_pool, "symbol": currency_symbol(currency), "gain": GAIN, "loss": LOSS}
    panels = (_cell_html(main, f"{pool_labels[str(default['pool'])]}, top {number(n0)}{capped}", currency,
                         f"{name}-main").replace('class="whatif-panel"', 'class="whatif-panel whatif-main"')
              + _cell_html(cell(compare_pool), f"{pool_labels[compare_pool]}, top {number(n0)}", currency,
                           f"{name}-compare").replace('class="whatif-panel"', 'class="whatif-panel whatif-compare"'))
    note_html = f'<p class="table-note">{html.escape(note)}</p>' if note else ""
    # the grid's discounts are written as %g so the select values match the script's parseFloat
    script = _SCRIPT % {"box": json.dumps(box), "data": json.dumps(data, separators=(",", ":"))}
    return (f'<div class="whatif" id="{html.escape(box)}"><div class="whatif-controls">{controls}</div>'
            f"{panels}{note_html}</div>{script}")


def what_if_explorer(grid: pd.DataFrame, name: str = "what-if", *, pool_labels: Mapping[str, str],
                     default: Mapping[str, Any], compare_pool: str = "profit_maximising",
                     offer_months: int | None = None, currency: str | None = None, note: str = "") -> None:
    """Show the what-if explorer over a precomputed grid.

    Parameters
    ----------
    grid : pandas.DataFrame
        ``retention.roi.what_if_grid`` rows: ``pool``, ``top_n``, ``discount``, ``offer_type``, ``targeted``,
        ``net_profit``, ``roi``, ``p_loss``, ``break_even_uplift``, ``total_cost``.
    name : str
        Stable element id (reproducible HTML).
    pool_labels : mapping
        Pool key -> label; only these pools are offered, in the grid's order.
    default : mapping
        The cell shown first: ``pool``, ``top_n``, ``discount``, ``offer_type``.
    compare_pool : str
        The pool shown beside the chosen one for the same N, discount and offer.
    offer_months : int, optional
        Months of the all-orders offer, for its label.
    currency : str, optional
        Default: the report's currency.
    note : str
        A line under the explorer (e.g. the uplift it assumes).
    """
    display_html(what_if_explorer_html(grid, name, pool_labels=pool_labels, default=default, compare_pool=compare_pool,
                                       offer_months=offer_months, currency=currency, note=note))
