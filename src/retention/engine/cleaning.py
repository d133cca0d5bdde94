"""The cleaning rules and their ledger: every dropped line is counted under exactly one reason.

The rules are defined once, here (:data:`LOAD_RULES`, :data:`RULES`), and run in DuckDB or Spark. They
apply in a fixed order and a line is charged to the first rule it breaks (:func:`reason`), so the ledger
adds up: rows in = rows kept + the rows dropped per reason (asserted). Revenue (Quantity x UnitPrice) is
counted per reason too, so a report shows what each rule removed in money, not only in lines.
Cancellation lines are not purchases, but they are not thrown away either: the identified product ones
are kept aside as returns, so customer features can net them out. A cancellation takes units back: an
invoice starting with 'C' whose quantity is positive is an order (some shops number every invoice with a
C).

Lines the loader already left out because they are not transactions at all (blank lines, copies of the
header line, lines dated far before or after the rest of the log) come in as ``pre_dropped`` counts and
appear first in the ledger (:data:`LOAD_RULES`), so ``rows_in`` is every line of the file.

Three scans of the input give everything the ledger and the later steps need:

* :func:`reason_counts` -- lines and revenue per reason (missing reason: kept), one small table;
* :func:`kept_lines` -- the kept lines with exact duplicates collapsed (``GROUP BY`` every column, so
  which copy is "first" cannot matter: copies are identical), ``copies`` per row, day number and month
  index computed once;
* :func:`return_lines` -- the identified product lines of cancellations that break no other rule.

:func:`ledger_frame` turns the counts into the ledger (rows in = rows kept + every dropped reason, asserted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from retention.engine.config import EngineConfig
from retention.engine.sql import epoch_days, exact_sum, ibis_module, month_index

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["CANONICAL", "LEDGER_REASONS", "LOAD_RULES", "OPTIONAL", "RULES", "cleaning_rules", "is_return",
           "kept_facts", "kept_lines", "kept_totals", "last_date", "ledger_frame", "load_rules", "number", "reason",
           "reason_counts", "return_lines", "rule_flags", "rule_tests"]

CANONICAL: tuple[str, ...] = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                              "CustomerID", "Country")
MISSING_NUMBER = "_missing_number"

# Lines the loader leaves out before typing (counted by retention.data.load), in ledger order.
LOAD_RULES: list[tuple[str, str]] = [
    ("blank_line", "an empty line (every field blank)"),
    ("repeated_header", "a copy of the header line inside the file (exports concatenated)"),
    ("far_past_date", "dated far before the rest of the log (a date entry error such as 1970-01-01)"),
    ("far_future_date", "dated far after the rest of the log (e.g. 2031 in a 2011 log); it would move the "
                        "analysis date"),
]

# (reason, what the rule means) in the order the rules are applied.
RULES: list[tuple[str, str]] = [
    ("missing_customer_id", "no CustomerID: a guest order that cannot be tied to a customer"),
    ("missing_date", "no InvoiceDate: the line cannot be placed in time"),
    ("cancellation", "InvoiceNo starts with 'C' and the quantity is not positive: a cancellation or return, not a "
                     "purchase"),
    ("non_positive_quantity", "zero or negative quantity outside a cancellation invoice"),
    ("non_product_code", "postage, fees, bank charges, manual adjustments: not a product"),
    ("non_positive_price", "zero or negative unit price (free samples, bad-debt adjustments)"),
    ("after_end_date", "dated after the analysis end date"),
    ("outlier", "quantity or unit price above the outlier limits in params"),
    ("duplicate_line", "an exact repeat of an earlier line (same invoice, product, quantity, price, time)"),
]

# Every reason a line can be dropped for, in ledger order.
LEDGER_REASONS: list[tuple[str, str]] = LOAD_RULES + RULES


def cleaning_rules() -> list[tuple[str, str]]:
    """(reason, meaning) of every cleaning rule, in the order they apply (:data:`RULES`)."""
    return list(RULES)


def load_rules() -> list[tuple[str, str]]:
    """(reason, meaning) of the lines the loader drops (:data:`LOAD_RULES`)."""
    return list(LOAD_RULES)


def rule_flags(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp) -> dict[str, Any]:
    """One boolean expression per rule of :data:`RULES` except ``duplicate_line``."""
    ibis = ibis_module()
    invoice = lines.InvoiceNo.fill_null("")
    codes = sorted({c.upper() for c in config.non_product_codes})
    after = ibis.timestamp((end_day + pd.Timedelta(days=1)).to_pydatetime())
    flags = {
        "missing_customer_id": lines.CustomerID.isnull(),
        "missing_date": lines.InvoiceDate.isnull(),
        # upper(InvoiceNo) starts with "C" and the line takes units back: a 'C' invoice that adds units is an
        # order (some shops number every invoice with a C), so the sign of the quantity, not the prefix alone,
        # makes a cancellation.
        "cancellation": (invoice.startswith("C") | invoice.startswith("c")) & (lines.Quantity <= 0),
        "non_positive_quantity": lines.Quantity <= 0,
        "non_product_code": lines.StockCode.fill_null("").upper().isin(codes) if codes else ibis.literal(False),
        "non_positive_price": lines.UnitPrice <= 0,
        "after_end_date": lines.InvoiceDate >= after,
        "outlier": (lines.Quantity.abs() > float(config.max_quantity))
        | (lines.UnitPrice > float(config.max_unit_price)),
    }
    unknown = [name for name, _ in cleaning_rules() if name not in flags and name != "duplicate_line"]
    if unknown:
        raise NotImplementedError(f"cleaning rule(s) {unknown} are not defined for the DuckDB/Spark engines yet.")
    return flags


def _bad_number(lines: ibis.Table) -> Any:
    return lines.Quantity.isnull() | lines.UnitPrice.isnull()


def reason(lines: ibis.Table, flags: Mapping[str, Any]) -> Any:
    """The first rule a line breaks (missing: kept); ``_missing_number`` for a line without a number."""
    ibis = ibis_module()
    cases = [(lines.blank_line, "blank_line"), (lines.repeated_header, "repeated_header"),
             (_bad_number(lines), MISSING_NUMBER)]
    cases += [(flags[name], name) for name, _ in cleaning_rules() if name in flags]
    return ibis.cases(*cases, else_=ibis.null("string"))


def rule_tests(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp) -> dict[str, Any]:
    """The negation of each rule of :func:`rule_flags`, written so that a missing value fails.

    Conjunctions of these simple tests (not the CASE of :func:`reason`) select the kept lines and the
    returns, so a scan checks the cheap ones first and can skip row groups.
    """
    ibis = ibis_module()
    flags = rule_flags(lines, config, end_day)
    tests = {
        "missing_customer_id": lines.CustomerID.notnull(),
        "missing_date": lines.InvoiceDate.notnull(),
        "non_positive_quantity": lines.Quantity > 0,
        "non_positive_price": lines.UnitPrice > 0,
        "after_end_date": lines.InvoiceDate < ibis.timestamp((end_day + pd.Timedelta(days=1)).to_pydatetime()),
        "outlier": (lines.Quantity.abs() <= float(config.max_quantity))
        & (lines.UnitPrice <= float(config.max_unit_price)),
    }
    return {name: tests.get(name, ~flag) for name, flag in flags.items()}


def _data_line(lines: ibis.Table) -> list[Any]:
    return [~lines.blank_line, ~lines.repeated_header]


def _kept(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp) -> Any:
    """True for a line that breaks no rule (a missing value breaks one)."""
    return ibis_module().and_(*_data_line(lines), *rule_tests(lines, config, end_day).values())


def is_return(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp) -> Any:
    """Identified product lines of a cancellation (or with a non-positive quantity) that break no other rule."""
    ibis = ibis_module()
    flags = rule_flags(lines, config, end_day)
    others = [test for name, test in rule_tests(lines, config, end_day).items()
              if name not in ("cancellation", "non_positive_quantity")]
    return ibis.and_(flags["cancellation"] | flags["non_positive_quantity"], *_data_line(lines), *others)


OPTIONAL: tuple[str, ...] = ("InvoiceNo", "StockCode", "Description", "Country")


def last_date(lines: ibis.Table) -> ibis.Table:
    """One row over the data lines: the earliest (``first``) and latest (``last``) InvoiceDate, and per optional
    column of :data:`OPTIONAL` the lines where it has a value (``with_<column>``)."""
    data = lines.filter(~(lines.blank_line | lines.repeated_header))
    return data.aggregate(first=data.InvoiceDate.min(), last=data.InvoiceDate.max(),
                          **{f"with_{c}": data[c].count() for c in OPTIONAL})


def reason_counts(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp) -> ibis.Table:
    """Per reason (missing = kept): lines and revenue."""
    t = lines.select(reason=reason(lines, rule_flags(lines, config, end_day)), Revenue=lines.Revenue)
    return t.group_by("reason").aggregate(rows=t.count(), revenue=exact_sum(t.Revenue))


def _day_columns(t: ibis.Table) -> dict[str, Any]:
    return {"Revenue": t.Quantity * t.UnitPrice, "day": epoch_days(t.InvoiceDate),
            "month": month_index(t.InvoiceDate)}


def kept_lines(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp,
               detect_duplicates: bool = True) -> ibis.Table:
    """The kept lines, exact duplicates collapsed into one row with ``copies`` (``LINES_SCHEMA``).

    With ``detect_duplicates=False`` identical lines stay separate (``copies`` 1): a file without
    InvoiceNo and StockCode cannot tell a repeated line from a second real purchase.
    """
    ibis = ibis_module()
    kept = lines.filter(_kept(lines, config, end_day))
    if detect_duplicates:
        kept = kept.group_by(list(CANONICAL)).aggregate(copies=kept.count())
    else:
        kept = kept.select(*CANONICAL, copies=ibis.literal(1, type="int64"))
    return kept.select(*CANONICAL, **_day_columns(kept), copies=kept.copies)


def return_lines(lines: ibis.Table, config: EngineConfig, end_day: pd.Timestamp) -> ibis.Table:
    """The returns (``RETURNS_SCHEMA``): every copy of a returned line."""
    back = lines.filter(is_return(lines, config, end_day))
    return back.select(*CANONICAL, **_day_columns(back))


def kept_totals(kept: ibis.Table, returns: ibis.Table) -> ibis.Table:
    """One row: distinct kept lines and revenue, repeated copies and their revenue, lines with a product
    code, lines with a fractional Quantity, the first and last kept time, and returns with a positive
    revenue (an error)."""
    extra = kept.copies - 1
    positive = returns.aggregate(positive_returns=(returns.Revenue > 0).cast("int64").sum())
    return kept.aggregate(
        distinct_rows=kept.count(), distinct_revenue=exact_sum(kept.Revenue),
        repeat_rows=extra.sum(), repeat_revenue=exact_sum(extra.cast("float64") * kept.Revenue),
        with_code=kept.StockCode.count(),
        fractional_quantities=(kept.Quantity != kept.Quantity.floor()).cast("int64").sum(),
        first_date=kept.InvoiceDate.min(), last_date=kept.InvoiceDate.max(),
    ).cross_join(positive)


def kept_facts(kept: ibis.Table, days: ibis.Table) -> ibis.Table:
    """One row of facts about the kept lines that the run info states: ``customers`` and the smallest id
    (``some_customer``), calendar ``purchase_days``, ``c_orders`` (kept lines of an invoice starting with 'C',
    orders since their quantity is positive) with the smallest such invoice (``c_order_example``), and
    ``repeated_lines`` (kept lines that repeat an earlier one exactly: 0 when duplicates were dropped)."""
    customers = days.select("CustomerID").distinct()
    dates = days.select("day").distinct()
    c_order = kept.InvoiceNo.fill_null("").upper().startswith("C")
    copies = kept.group_by(list(CANONICAL)).aggregate(n=kept.count())
    return (customers.aggregate(customers=customers.count(), some_customer=customers.CustomerID.min())
            .cross_join(dates.aggregate(purchase_days=dates.count()))
            .cross_join(kept.aggregate(c_orders=c_order.cast("int64").sum(),
                                       c_order_example=kept.InvoiceNo.min(where=c_order)))
            .cross_join(copies.aggregate(repeated_lines=(copies.n - 1).sum())))


def number(value: Any, kind: type = int) -> Any:
    """An aggregate's value as ``kind``, 0 when it is missing (a sum over no rows)."""
    return kind(0) if value is None or pd.isna(value) else kind(value)


def ledger_frame(counts: pd.DataFrame, totals: Mapping[str, Any],
                 pre_dropped: Mapping[str, int] | None = None) -> pd.DataFrame:
    """The cleaning ledger: ``step``, ``reason``, ``rule``, ``rows``, ``revenue``, ``share_of_rows``; the first row
    is every line read (``rows_in``), the last the lines kept (``rows_kept``), the rows between the reasons of
    :data:`LEDGER_REASONS`.

    ``counts`` is :func:`reason_counts` fetched, ``totals`` :func:`kept_totals`' row, ``pre_dropped``
    the lines the loader removed before writing the canonical dataset (reasons of :data:`LOAD_RULES`).
    """
    pre = dict(pre_dropped or {})
    loader = [name for name, _ in load_rules()]
    unknown = set(pre) - set(loader)
    if unknown:
        raise ValueError(f"pre_dropped has unknown reasons {sorted(unknown)}; known: {loader}")
    by_reason = {(None if pd.isna(r) else r): (number(n), number(v, float))
                 for r, n, v in zip(counts["reason"], counts["rows"], counts["revenue"], strict=True)}
    rows = [{"reason": name, "rule": text, "rows": by_reason.get(name, (0, 0.0))[0] + int(pre.get(name, 0)),
             "revenue": 0.0} for name, text in load_rules()]
    for name, text in cleaning_rules():
        if name == "duplicate_line":
            rows.append({"reason": name, "rule": text, "rows": number(totals["repeat_rows"]),
                         "revenue": number(totals["repeat_revenue"], float)})
        else:
            n, value = by_reason.get(name, (0, 0.0))
            rows.append({"reason": name, "rule": text, "rows": n, "revenue": value})
    n_in = sum(n for n, _ in by_reason.values()) + sum(int(v) for v in pre.values())
    revenue_in = sum(value for r, (_, value) in by_reason.items() if r not in loader)
    rows = [{"reason": "rows_in", "rule": "lines read from the file", "rows": n_in, "revenue": revenue_in},
            *rows,
            {"reason": "rows_kept", "rule": "purchase lines used by every report",
             "rows": number(totals["distinct_rows"]), "revenue": number(totals["distinct_revenue"], float)}]
    ledger = pd.DataFrame(rows)
    ledger.insert(0, "step", range(len(ledger)))
    ledger["share_of_rows"] = ledger["rows"] / n_in if n_in else 0.0
    if n_in != int(ledger["rows"].iloc[1:].sum()):
        raise AssertionError("cleaning ledger does not add up")
    return ledger
