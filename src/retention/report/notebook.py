"""Notebook set-up: offline plotly.js and itables, the report's header line, and raw HTML/Markdown output."""

from __future__ import annotations

import html

from retention.report.formatting import day
from retention.report.settings import ReportSettings, settings_from_params, use_settings

__all__ = ["setup_notebook", "report_meta", "show_markdown", "display_html"]


def display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def setup_notebook(info: dict | None = None, params_file: str | None = None,
                   report_settings: ReportSettings | None = None) -> None:
    """Emit plotly.js and the itables bundle once, inline, so the exported HTML works offline.

    With the params file, the report settings (currency, row and point caps, sample seed) come from the
    params, unless ``report_settings`` gives them. With the run ``info`` (from
    :func:`retention.pipeline.load_prepared`) and the params file, also show the report's header line: data
    source, period, as-of date and params profile.
    """
    import plotly.offline
    from itables import init_notebook_mode

    if report_settings is None and params_file is not None:
        from retention.params import load_params

        report_settings = settings_from_params(load_params(params_file))
    if report_settings is not None:
        use_settings(report_settings)

    display_html(f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>')
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
    display_html(
        f'<div class="report-meta" {attrs}><span><b>Data</b> {html.escape(fields["source"])}</span>'
        f'<span><b>Period</b> {html.escape(fields["period"])}</span>'
        f'<span><b>As of</b> {html.escape(fields["asof"])}</span>'
        f'<span><b>Profile</b> {html.escape(profile)} ({html.escape(params_file)})</span></div>')



def show_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


