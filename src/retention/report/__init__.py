"""The report toolkit: what every report shows goes through here, so every report reads the same way.

Modules, by concern:

* :mod:`~retention.report.formatting` money, shares, counts, dates, plurals; plotly tick formats by unit
* :mod:`~retention.report.labels` the column dictionary: machine name -> label, unit, meaning; glossary
* :mod:`~retention.report.theme` the named palette and colours with a meaning (gain, loss, traffic light)
* :mod:`~retention.report.figures` honest chart defaults, axis helpers, offline embedding
* :mod:`~retention.report.tables` tables that fit, formatted, with a stated row cap
* :mod:`~retention.report.explorer` the customer explorer (range filters, search, export of the filtered rows)
* :mod:`~retention.report.components` callouts, KPI cards, the decision card, the glossary
* :mod:`~retention.report.whatif` the what-if explorer over a precomputed grid (dropdowns, big numbers)
* :mod:`~retention.report.notebook` notebook set-up (offline plotly.js and itables), header line
* :mod:`~retention.report.site` the index page and run manifest
* :mod:`~retention.report.visual` the visual check in headless Chromium

The HTML works offline and reproduces byte for byte (stable element ids, no timestamps). The analytics
modules never import this package.
"""

from retention.report.components import (
    HEADLINE_KPIS,
    KpiCard,
    bullet_list_html,
    callout,
    callout_html,
    decision_action_html,
    decision_card_html,
    decision_test_sentence,
    headline_kpi_cards,
    kpi_cards,
    kpi_cards_from_json,
    kpi_cards_html,
    show_decision,
    show_definitions,
    show_glossary,
    show_kpis,
    show_list,
)
from retention.report.explorer import DEFAULT_EXPLORER_COLUMNS, ExplorerColumn, customer_explorer
from retention.report.figures import (
    binned_histogram,
    count_axis,
    format_axis,
    log_histogram,
    money_axis,
    sample_points,
    share_axis,
    show_figure,
    style_figure,
    zero_based_axes,
)
from retention.report.formatting import (
    CURRENCY_SYMBOLS,
    currency_symbol,
    day,
    format_value,
    money,
    number,
    pct,
    pct_points,
    plural,
    tick_format,
)
from retention.report.labels import (
    COLUMNS,
    LEDGER_LABELS,
    csv_dictionary,
    glossary,
    human_columns,
    label,
    meaning,
    reason_label,
)
from retention.report.notebook import display_html, report_meta, setup_notebook, show_markdown
from retention.report.settings import ReportSettings, current_settings, settings_from_params, use_settings
from retention.report.tables import show_static_table, show_table
from retention.report.theme import (
    ACCENT,
    GAIN,
    GAIN_LOSS_SCALE,
    LOSS,
    NEUTRAL,
    PALETTE,
    PALETTE_NAME,
    ROLE_COLORS,
    TRAFFIC_LIGHT,
    WARNING,
    gain_loss_colors,
    trend,
)
from retention.report.whatif import what_if_explorer, what_if_explorer_html

__all__ = [
    # formatting
    "CURRENCY_SYMBOLS", "currency_symbol", "money", "pct", "pct_points", "number", "day", "plural", "format_value",
    "tick_format",
    # labels
    "COLUMNS", "label", "meaning", "human_columns", "glossary", "csv_dictionary", "LEDGER_LABELS", "reason_label",
    # theme
    "PALETTE", "PALETTE_NAME", "GAIN", "LOSS", "WARNING", "ACCENT", "NEUTRAL", "ROLE_COLORS", "TRAFFIC_LIGHT",
    "GAIN_LOSS_SCALE", "trend", "gain_loss_colors",
    # figures
    "style_figure", "format_axis", "money_axis", "count_axis", "share_axis", "zero_based_axes", "sample_points",
    "log_histogram", "binned_histogram", "show_figure",
    # tables and the explorer
    "show_table", "show_static_table", "customer_explorer", "ExplorerColumn", "DEFAULT_EXPLORER_COLUMNS",
    # components
    "callout", "callout_html", "KpiCard", "kpi_cards", "kpi_cards_html", "kpi_cards_from_json", "show_kpis",
    "decision_card_html", "show_decision", "show_glossary", "show_definitions", "bullet_list_html", "show_list",
    "what_if_explorer", "what_if_explorer_html", "HEADLINE_KPIS", "headline_kpi_cards", "decision_test_sentence",
    "decision_action_html",
    # settings and notebook
    "ReportSettings", "current_settings", "use_settings", "settings_from_params", "setup_notebook", "report_meta",
    "show_markdown", "display_html",
]
