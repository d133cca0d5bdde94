"""Display helpers the notebooks share: offline plotly and itables with stable ids, and formatting.

Everything a report shows goes through here so every report formats money, percentages and dates
the same way, and so the HTML works offline and reproduces byte for byte (stable element ids, no
timestamps). The analytics modules never import this one.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "PALETTE",
    "CURRENCY_SYMBOLS",
    "money",
    "pct",
    "number",
    "day",
    "setup_notebook",
    "report_meta",
    "show_figure",
    "log_histogram",
    "show_table",
    "show_markdown",
    "show_static_table",
    "callout",
    "kpi_cards",
    "style_figure",
]

# Okabe-Ito: a colour-blind-safe qualitative palette, used by every chart in the series.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
           "#999999", "#882255", "#44AA99"]
CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥", "CHF": "CHF ", "AUD": "A$", "CAD": "C$"}


def money(value: float, currency: str = "GBP", decimals: int | None = None) -> str:
    """Format an amount with its currency, compact for large numbers: £1.86M, £93.4k, £412.50."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if decimals is None:
        if v >= 1e6:
            return f"{sign}{symbol}{v / 1e6:.2f}M"
        if v >= 1e4:
            return f"{sign}{symbol}{v / 1e3:.1f}k"
        decimals = 0 if v >= 1000 else 2
    return f"{sign}{symbol}{v:,.{decimals}f}"


def pct(value: float, decimals: int = 1) -> str:
    """Format a share (0.253) as a percentage (25.3%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{100 * value:.{decimals}f}%"


def number(value: float, decimals: int = 0) -> str:
    """Format a count or measure with thousands separators."""
    return f"{value:,.{decimals}f}"


def day(value: object) -> str:
    """Format a date as 30 Nov 2011."""
    return pd.Timestamp(value).strftime("%-d %b %Y")


def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def setup_notebook(info: dict | None = None, params_file: str | None = None) -> None:
    """Emit plotly.js and the itables bundle once, inline, so the exported HTML works offline.

    With the run ``info`` (from :func:`retention.pipeline.load_prepared`) and the params file, also show
    the report's header line: data source, period, as-of date and params profile.
    """
    import plotly.offline
    from itables import init_notebook_mode

    _display_html(f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>')
    init_notebook_mode(all_interactive=False, connected=False)
    if info is not None and params_file is not None:
        report_meta(info, params_file)


def report_meta(info: dict, params_file: str) -> None:
    """The header line under a report's title: data source, period, as-of date, params profile."""
    from pathlib import PurePath

    profile = PurePath(params_file).stem
    fields = {"source": info["data_path"], "asof": day(info["end_date"]), "profile": profile,
              "period": f"{day(info['first_date'])} to {day(info['end_date'])}"}
    attrs = " ".join(f'data-{k}="{html.escape(str(v))}"' for k, v in fields.items())
    _display_html(
        f'<div class="report-meta" {attrs}><span><b>Data</b> {html.escape(fields["source"])}</span>'
        f'<span><b>Period</b> {html.escape(fields["period"])}</span>'
        f'<span><b>As of</b> {html.escape(fields["asof"])}</span>'
        f'<span><b>Profile</b> {html.escape(profile)} ({html.escape(params_file)})</span></div>')


def style_figure(fig, title: str, x_title: str | None = None, y_title: str | None = None, height: int = 420):
    """Apply the series' look: the finding as title, labelled axes, the shared palette."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 17}},
        template="plotly_white", colorway=PALETTE, height=height,
        margin={"l": 60, "r": 30, "t": 70, "b": 60}, font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_layout(yaxis_title_text=y_title)
    return fig


def log_histogram(values, n_bins: int = 40, color: str = PALETTE[0], unit: str = ""):
    """A histogram on log-spaced bins (for skewed money and counts), as a plotly bar figure.

    Values at or below zero cannot sit on a log axis; they are counted in the first bin's label.
    """
    import numpy as np
    import plotly.graph_objects as go

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    positive = v[v > 0]
    low, high = (positive.min(), positive.max()) if positive.size else (1.0, 10.0)
    if high <= low:  # every value the same: one bin around it
        low, high = low / 1.5, high * 1.5
    edges = np.logspace(np.log10(low), np.log10(high), n_bins + 1)
    edges[0], edges[-1] = low, high  # exact ends: rounding in logspace must not push values out
    counts, _ = np.histogram(np.clip(v, low, None), bins=edges)
    centres = np.sqrt(edges[:-1] * edges[1:])
    fig = go.Figure(go.Bar(x=centres, y=counts, width=np.diff(edges), marker_color=color,
                           customdata=np.stack([edges[:-1], edges[1:]], axis=1),
                           hovertemplate="%{customdata[0]:,.1f} to %{customdata[1]:,.1f}" + unit
                           + ": %{y:,}<extra></extra>"))
    fig.update_xaxes(type="log")
    fig.update_layout(bargap=0)
    return fig


def show_figure(fig, name: str) -> None:
    """Show a plotly figure inline (plotly.js comes from :func:`setup_notebook`), with a stable div id."""
    markup = fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=name,
                         config={"displaylogo": False, "responsive": True})
    _display_html(f'<div class="chart">{markup}</div>')


def show_table(df: pd.DataFrame, name: str, caption: str | None = None, page_length: int = 10,
               **options) -> None:
    """Show a searchable, sortable table (itables, offline) with a stable id."""
    from itables import to_html_datatable

    markup = to_html_datatable(df, table_id=name, caption=caption, connected=False, pageLength=page_length,
                               display_logo_when_loading=False, classes="display compact", **options)
    _display_html(markup)


def show_static_table(df: pd.DataFrame, numeric: Iterable[str] = ()) -> None:
    """Show a short table as plain HTML (no search box), numbers right-aligned."""
    numeric = set(numeric)
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{html.escape(str(c))}</th>' for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if c in numeric else ""}">{html.escape(str(v))}</td>'
                         for c, v in zip(df.columns, row, strict=True)) + "</tr>"
        for row in df.itertuples(index=False))
    _display_html(f'<table class="static-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def show_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def callout(text: str, title: str = "What this says") -> None:
    """A highlighted "what this says" box; ``text`` is Markdown-free plain sentences (escaped)."""
    _display_html(f'<div class="callout" style="border-left:4px solid {PALETTE[0]};background:#f3f8fc;'
                  f'padding:12px 16px;margin:8px 0 16px 0;border-radius:4px">'
                  f'<strong>{html.escape(title)}</strong><p style="margin:6px 0 0 0">{html.escape(text)}</p></div>')


def kpi_cards(cards: Iterable[tuple[str, str, str]]) -> None:
    """Show KPI cards: (label, value, note) each."""
    items = "".join(
        f'<div class="kpi" style="flex:1 1 180px;border:1px solid #dde3ea;border-radius:8px;padding:12px 16px;'
        f'background:#fff"><div style="color:#56606b;font-size:13px">{html.escape(label)}</div>'
        f'<div style="font-size:26px;font-weight:600;margin:4px 0">{html.escape(value)}</div>'
        f'<div style="color:#56606b;font-size:12px">{html.escape(note)}</div></div>'
        for label, value, note in cards)
    _display_html(f'<div class="kpis" style="display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px 0">{items}</div>')
