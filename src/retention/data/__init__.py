"""Load a transaction file into the canonical schema, and validate it with messages a person can act on.

The canonical schema is the UCI Online Retail layout: InvoiceNo, StockCode, Description, Quantity,
InvoiceDate, UnitPrice, CustomerID, Country. Only CustomerID, InvoiceDate and a money column are required:
a file with just customer, date and amount loads, and the columns it lacks are reported so analyses that
need them can say so and skip. Bad input either loads, with what was detected or assumed written down as
plain-English ``notes`` and the lines that are not transactions counted under their ledger reason, or
stops with one :class:`DataValidationError` naming the file, the column, how many rows, a few examples
(with their line) and the fix.

The package, by concern:

* :mod:`~retention.data.read`: bytes, encodings, separators, Excel sheets, Parquet batches (chunked).
* :mod:`~retention.data.rows`: blank lines and repeated headers.
* :mod:`~retention.data.columns`: names, aliases, mappings, did-you-mean, duplicates, extras.
* :mod:`~retention.data.numbers` and :mod:`~retention.data.money`: decimal marks, currency, line totals.
* :mod:`~retention.data.dates`, :mod:`~retention.data.date_order`, :mod:`~retention.data.far_dates`.
* :mod:`~retention.data.ids`: placeholders, spreadsheet-mangled ids, spellings of one id.
* :mod:`~retention.data.load`: the two passes, in memory (:func:`load`) or to Parquet
  (:func:`load_to_parquet`).
* :mod:`~retention.data.cdnow`: the CDNOW log shipped with ``lifetimes``.
"""

from retention.data.cdnow import CDNOW_FILE, cdnow_source, convert_cdnow
from retention.data.columns import (
    ALIASES,
    AMOUNT_COLUMN,
    CANONICAL_COLUMNS,
    COLUMN_USES,
    CURRENCY_COLUMN,
    IGNORE,
    ONLINE_RETAIL_II_NAMES,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    missing_column_notes,
)
from retention.data.errors import DataValidationError
from retention.data.load import (
    DATE_ORDERS,
    LOAD_INFO,
    Loaded,
    LoadSummary,
    available_columns,
    load,
    load_to_parquet,
    load_transactions,
    read_lines,
    read_table,
    to_canonical,
)
from retention.data.read import CHUNK_ROWS, check_readable, open_source

__all__ = [
    "CANONICAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "ONLINE_RETAIL_II_NAMES",
    "AMOUNT_COLUMN",
    "CURRENCY_COLUMN",
    "IGNORE",
    "ALIASES",
    "COLUMN_USES",
    "CDNOW_FILE",
    "CHUNK_ROWS",
    "DATE_ORDERS",
    "LOAD_INFO",
    "DataValidationError",
    "Loaded",
    "LoadSummary",
    "read_table",
    "to_canonical",
    "load",
    "load_transactions",
    "load_to_parquet",
    "read_lines",
    "available_columns",
    "missing_column_notes",
    "check_readable",
    "open_source",
    "cdnow_source",
    "convert_cdnow",
]
