"""Display helpers the notebooks share: offline plotly and itables with stable ids, formatting, components.

Everything a report shows goes through here so every report formats money, percentages and dates
the same way, and so the HTML works offline and reproduces byte for byte (stable element ids, no
timestamps). The analytics modules never import this package.
"""

from retention.report.components import callout, kpi_cards
from retention.report.figures import log_histogram, show_figure, style_figure
from retention.report.formatting import CURRENCY_SYMBOLS, day, money, number, pct
from retention.report.notebook import report_meta, setup_notebook, show_markdown
from retention.report.tables import show_static_table, show_table
from retention.report.theme import PALETTE

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
