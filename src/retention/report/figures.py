"""Plotly figures: the series' look with honest defaults, axis formats, and offline embedding with stable ids.

Honest by default (:func:`style_figure`): the value axis of bar, line and scatter charts starts at zero
(every y axis, so both axes of a dual-axis chart do; a horizontal bar chart's x axis), unless the caller
states ``zero_based=False``; axis numbers never use SI prefixes; money axes carry the currency
(:func:`money_axis`). :func:`show_figure` writes the title above the chart as HTML, where it wraps on a
phone instead of running off the chart, and can add a note under it (e.g. what a sample shows).
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from retention.report.formatting import number, tick_format
from retention.report.notebook import display_html
from retention.report.settings import current_settings
from retention.report.theme import PALETTE

__all__ = ["ZERO_BASED_TRACES", "style_figure", "format_axis", "money_axis", "count_axis", "share_axis",
           "zero_based_axes", "wrap_title", "sample_points", "log_histogram", "binned_histogram", "show_figure",
           "figure_html"]

# Trace types whose value axis is zero-based by default; figures with any other trace type are left alone.
ZERO_BASED_TRACES = frozenset({"bar", "histogram", "scatter", "scattergl", "box", "violin", "waterfall", "funnel"})
_AXIS_TITLE_WRAP = 48  # characters per line of an axis title: fits the plot width of a 390 px phone
_FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


def wrap_title(text: str | None, width: int = _AXIS_TITLE_WRAP) -> str | None:
    """Break a long axis title into lines of at most ``width`` characters (plotly's ``<br>``)."""
    if not text or len(text) <= width or "<br>" in text:
        return text
    return "<br>".join(textwrap.wrap(text, width))


def _axis_key(ref: str | None, letter: str) -> str:
    """Layout key of a trace's axis reference: "y" -> "yaxis", "y2" -> "yaxis2"."""
    ref = ref or letter
    return f"{letter}axis{ref[1:]}"


def _value_axes(fig) -> set[str] | None:
    """The layout keys of every value axis, or None when the figure holds a trace type not to zero-base."""
    axes: set[str] = set()
    for trace in fig.data:
        if trace.type not in ZERO_BASED_TRACES:
            return None
        horizontal = getattr(trace, "orientation", None) == "h"
        axes.add(_axis_key(trace.xaxis, "x") if horizontal else _axis_key(trace.yaxis, "y"))
    return axes


def zero_based_axes(fig, axes: list[str] | None = None):
    """Start the given axes (layout keys like "yaxis2"; default: every value axis) at zero.

    Applies to linear axes only: plotly ignores ``rangemode`` on log, date and category axes.
    """
    for key in axes if axes is not None else sorted(_value_axes(fig) or ()):
        fig.update_layout({key: {"rangemode": "tozero"}})
    return fig


def format_axis(fig, unit: str, axis: str = "y", currency: str | None = None, decimals: int = 0,
                title: str | None = None):
    """Format one axis ("x", "y", "y2" ...) for a unit: money (in ``currency``, default the params' currency),
    share, probability, count, days or number."""
    axis_settings = tick_format(unit, currency or current_settings().currency, decimals)
    if title is not None:
        axis_settings["title"] = {"text": wrap_title(title)}
    fig.update_layout({_axis_key(axis, axis[0]): axis_settings})
    return fig


def money_axis(fig, currency: str | None = None, axis: str = "y", decimals: int = 0, title: str | None = None):
    """Currency ticks without SI prefixes: £1,200, not 1.2k; $0.50, not 500m."""
    return format_axis(fig, "money", axis, currency, decimals, title)


def count_axis(fig, axis: str = "y", title: str | None = None):
    """Whole-number ticks with thousands separators."""
    return format_axis(fig, "count", axis, title=title)


def share_axis(fig, axis: str = "y", decimals: int = 0, title: str | None = None):
    """Percentage ticks for shares and probabilities held as 0..1."""
    return format_axis(fig, "share", axis, decimals=decimals, title=title)


def style_figure(fig, title: str, x_title: str | None = None, y_title: str | None = None, height: int = 420, *,
                 x_unit: str | None = None, y_unit: str | None = None, currency: str | None = None,
                 zero_based: bool = True):
    """Apply the series' look: the finding as title, labelled axes, the shared palette, honest axes.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    title : str
        The finding the chart shows, in words (shown above the chart by :func:`show_figure`).
    x_title, y_title : str, optional
        Axis titles; long ones wrap onto two lines.
    height : int
        Height in px.
    x_unit, y_unit : str, optional
        Tick format of the axis: money (in ``currency``, default the params' currency), share, probability,
        count, days or number.
    zero_based : bool
        Start the value axes of bar, line and scatter charts at zero (default). Pass False only where
        the chart states why (e.g. a zoom on a narrow range).
    """
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 17}},
        template="plotly_white", colorway=PALETTE, height=height, separators=".,",
        margin={"l": 60, "r": 30, "t": 70, "b": 60}, font={"family": _FONT},
        # legend on top, left-aligned: read before the chart, clear of the tool bar on the right
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0.0},
    )
    fig.update_xaxes(exponentformat="none", separatethousands=True)
    fig.update_yaxes(exponentformat="none", separatethousands=True)
    if x_title is not None:
        fig.update_xaxes(title_text=wrap_title(x_title))
    if y_title is not None:
        fig.update_layout(yaxis_title_text=wrap_title(y_title))
    # a value written outside its bar may run past the plot area: draw it in the margin rather than cut it
    fig.update_traces(cliponaxis=False, selector={"type": "bar", "textposition": "outside"})
    if zero_based:
        zero_based_axes(fig)
    for axis, unit in (("x", x_unit), ("y", y_unit)):
        if unit is not None:
            format_axis(fig, unit, axis, currency)
    return fig


def sample_points(frame: pd.DataFrame, max_points: int | None = None, seed: int | None = None,
                  noun: str = "customer") -> tuple[pd.DataFrame, str]:
    """At most ``max_points`` rows for a chart (a seeded random sample, in the original order) and the note
    that says so ("" when every row is shown); defaults: params ``report.max_chart_points`` and ``sample_seed``."""
    max_points = current_settings().max_chart_points if max_points is None else max_points
    seed = current_settings().sample_seed if seed is None else seed
    if len(frame) <= max_points:
        return frame, ""
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(frame), size=max_points, replace=False))
    return frame.iloc[keep], (f"Showing a random sample of {number(max_points)} of {number(len(frame))} "
                              f"{noun}s (seed {seed}).")


def log_histogram(values, n_bins: int = 40, color: str = PALETTE[0], unit: str = "", floor: float | None = None):
    """A histogram on log-spaced bins (for skewed money and counts), as a plotly bar figure.

    Values below ``floor`` (zero, negatives, and specks such as a CLV of 1e-12 that would stretch a log axis
    over ten decades) are counted in the first bin, whose hover label starts at the smallest value. The
    default floor is the smallest positive value, but no less than 1/10,000 of the 99th percentile.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    positive = v[v > 0]
    if positive.size:
        low = max(positive.min(), float(np.quantile(positive, 0.99)) * 1e-4) if floor is None else floor
        high = max(positive.max(), low * 10)
    else:
        low, high = 1.0, 10.0
    edges = np.logspace(np.log10(low), np.log10(high), n_bins + 1)
    edges[0], edges[-1] = low, high  # exact ends: rounding in logspace must not push values out
    counts, _ = np.histogram(np.clip(v, low, None), bins=edges)
    bins = pd.DataFrame({"left": edges[:-1], "right": edges[1:], "count": counts})
    if v.size:
        bins.loc[0, "left"] = min(low, float(v.min()))
    return binned_histogram(bins, "count", color=color, unit=unit, edges=edges)


def binned_histogram(bins: pd.DataFrame, count: str = "count", *, color: str = PALETTE[0], unit: str = "",
                     log_x: bool = True, edges: np.ndarray | None = None, value_format: str = ",.2f",
                     integer: bool = False):
    """A histogram drawn from bin counts made elsewhere (the engine counts the lines; only the bins come here).

    ``bins`` has ``left``, ``right`` and the ``count`` column, one row per bin in order (on a log axis the bins
    are log-spaced, e.g. :meth:`retention.engine.aggregates.EdaAggregates.histogram`). Each bar spans its bin;
    the hover names the range (``left`` to ``right``, in ``unit``) and the count. ``integer`` bins hold whole
    numbers ``left <= value < right`` and the hover names them ("4" or "12 to 13"). ``edges`` overrides the
    drawn bar extents (e.g. when the first bin's ``left`` is the smallest value, below the axis floor).
    """
    import plotly.graph_objects as go

    left, right = bins["left"].to_numpy(dtype=float), bins["right"].to_numpy(dtype=float)
    drawn = np.r_[left[:1], right] if edges is None else np.asarray(edges, dtype=float)
    if log_x:
        drawn = np.maximum(drawn, np.nextafter(0, 1))
    centres = np.sqrt(drawn[:-1] * drawn[1:]) if log_x else (drawn[:-1] + drawn[1:]) / 2
    if integer:
        customdata: Any = [number(a) if b - a <= 1 else f"{number(a)} to {number(b - 1)}"
                           for a, b in zip(left, right, strict=True)]
        hover = "%{customdata}"
    else:
        customdata = np.stack([left, right], axis=1)
        hover = f"%{{customdata[0]:{value_format}}} to %{{customdata[1]:{value_format}}}"
    fig = go.Figure(go.Bar(x=centres, y=bins[count].to_numpy(), width=np.diff(drawn), marker_color=color,
                           customdata=customdata, hovertemplate=hover + unit + ": %{y:,}<extra></extra>"))
    if log_x:
        fig.update_xaxes(type="log")
    fig.update_layout(bargap=0)
    return fig


def _interactive(fig) -> bool:
    """Sliders, buttons and frames may rewrite the title: such a figure keeps it inside the chart."""
    layout = fig.layout
    return bool(layout.sliders or layout.updatemenus or fig.frames)


def figure_html(fig, name: str, note: str | None = None, lift_title: bool = True) -> str:
    """The HTML of a figure: title above the chart (HTML text that wraps), the chart with a stable div id,
    and an optional note under it."""
    title = fig.layout.title.text
    lift = lift_title and bool(title) and not _interactive(fig)
    saved: dict[str, Any] = {"title": title, "top": fig.layout.margin.t}
    if lift:
        fig.layout.title.text = None
        if saved["top"] == 70:  # style_figure's room for a title: keep room for a legend on top only
            fig.layout.margin.t = 40
    try:
        markup = fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=name,
                             config={"displaylogo": False, "responsive": True})
    finally:
        fig.layout.title.text = saved["title"]
        fig.layout.margin.t = saved["top"]
    caption = (f'<figcaption class="chart-title">{html.escape(title.replace("<br>", " "))}</figcaption>'
               if lift else "")
    footer = f'<p class="chart-note">{html.escape(note)}</p>' if note else ""
    return f'<figure class="chart" id="{html.escape(name)}-figure">{caption}{markup}{footer}</figure>'


def show_figure(fig, name: str, note: str | None = None, lift_title: bool = True) -> None:
    """Show a plotly figure inline (plotly.js comes from ``setup_notebook``) with a stable div id."""
    display_html(figure_html(fig, name, note, lift_title))
