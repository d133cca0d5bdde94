"""Which file column is which canonical column: names, common aliases, mappings, and what is missing.

The canonical schema is the UCI Online Retail layout (:data:`CANONICAL_COLUMNS`). A file column is read
as a canonical column when the params map it (``data.columns``), when its name is the canonical name up
to case, spaces, ``_`` and ``-`` (``customer_id``), or when it is a common name of that column
(:data:`ALIASES`: ``Qty``, ``Price Each``, ``Order Date``, ...; noted). Besides the canonical columns a
file may carry ``Amount`` (the line total, standing in for or checking Quantity x UnitPrice) and
``Currency``. A header that is close to a known name but not one (``Quantty``) stops the run with "did
you mean", because a column the loader did not recognise would otherwise be treated as absent (every
line one unit). Two columns that would become the same column stop the run; columns that are not used
are listed in a note. A column can be left out on purpose by mapping it to ``ignore``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from retention.data.errors import Context

__all__ = ["CANONICAL_COLUMNS", "REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "ONLINE_RETAIL_II_NAMES", "AMOUNT_COLUMN",
           "CURRENCY_COLUMN", "IGNORE", "ALIASES", "COLUMN_USES", "Layout", "layout", "missing_column_notes",
           "key"]

CANONICAL_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                     "CustomerID", "Country"]
REQUIRED_COLUMNS = ["CustomerID", "InvoiceDate"]
OPTIONAL_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Country"]
ONLINE_RETAIL_II_NAMES = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}
AMOUNT_COLUMN = "Amount"  # the line total: stands in for UnitPrice (= Amount / Quantity) or checks it
CURRENCY_COLUMN = "Currency"
IGNORE = "ignore"  # data.columns: {"Notes": ignore} leaves a column out on purpose
# Common names of each column in shop, ERP and spreadsheet exports (compared up to case, spaces, "_", "-").
ALIASES: dict[str, tuple[str, ...]] = {
    "InvoiceNo": ("Invoice", "Invoice Number", "Invoice ID", "Invoice Num", "Order", "Order ID", "Order No",
                  "Order Number", "Order Num", "Transaction ID", "Transaction No", "Transaction Number", "Receipt",
                  "Receipt No", "Receipt Number", "Receipt ID", "Bill No", "Bill Number", "Sale ID",
                  "Document No", "Document Number"),
    "StockCode": ("Stock Code", "Product ID", "Product Code", "Product No", "Product Number", "SKU", "SKU Code",
                  "Item", "Item ID", "Item Code", "Item No", "Item Number", "Article", "Article No",
                  "Article Number", "Article ID", "EAN", "UPC", "Barcode", "Part Number"),
    "Description": ("Product", "Product Name", "Product Description", "Item Name", "Item Description",
                    "Article Name", "Desc"),
    "Quantity": ("Qty", "Quantity Ordered", "Qty Ordered", "Ordered Quantity", "Order Quantity", "Units",
                 "Units Sold", "Number of Units", "Quantity Sold", "Qty Sold", "Pieces", "Pcs", "Item Count"),
    "InvoiceDate": ("Invoice Date", "Date", "Order Date", "Purchase Date", "Transaction Date", "Sale Date",
                    "Sales Date", "Order Datetime", "Order Time", "Timestamp", "Datetime", "Date Time",
                    "Created At", "Purchased At", "Ordered At", "Transaction Time", "Invoice Datetime"),
    "UnitPrice": ("Price", "Unit Price", "Price Each", "Item Price", "Price per Unit", "Price per Item",
                  "Sale Price", "Selling Price", "Sales Price", "Unit Sale Price"),
    "CustomerID": ("Customer", "Customer ID", "Customer No", "Customer Number", "Customer Code", "Cust ID",
                   "Client", "Client ID", "Client No", "Client Number", "User ID", "Member ID", "Account ID",
                   "Account No", "Buyer ID", "Shopper ID", "Customer Key"),
    "Country": ("Country Name", "Country Code", "Ship Country", "Shipping Country", "Billing Country",
                "Customer Country"),
    AMOUNT_COLUMN: ("Total", "Line Total", "Revenue", "Sales", "Sales Amount", "Sale Amount", "Total Price",
                    "Total Amount", "Line Amount", "Line Value", "Line Revenue", "Net Amount", "Amount Paid",
                    "Extended Price", "Subtotal", "Value"),
    CURRENCY_COLUMN: ("Currency Code", "Curr", "CCY", "Currency ISO"),
}
# What goes missing when the file lacks a column (shown as a note; the notebooks skip those parts).
COLUMN_USES = {
    "InvoiceNo": "orders are taken as one per customer and day, and cancellations cannot be recognised",
    "StockCode": "product rankings and the product-count feature (UniqueProducts) are skipped, and the "
                 "non-product-code cleaning rule cannot apply",
    "Description": "products are shown by code only",
    "Country": "the country breakdown is skipped",
    "Quantity": "every line counts as one unit",
}
_TARGETS = [*CANONICAL_COLUMNS, AMOUNT_COLUMN, CURRENCY_COLUMN]
_CLOSE = 0.85  # how alike an unknown header must be to a known name to be taken for a typo


def key(name: object) -> str:
    """A name without case, spaces or punctuation: ``Customer_ID`` and ``customer id`` are the same key."""
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def _same_names() -> dict[str, str]:
    return {key(c): c for c in _TARGETS}


def _alias_names() -> dict[str, str]:
    names = {key(a): target for target, aliases in ALIASES.items() for a in aliases}
    return {k: v for k, v in names.items() if k not in _same_names()}


@dataclass(frozen=True)
class Layout:
    """Where each used column comes from: ``sources[target] = file column``; plus what is left over."""

    sources: dict[str, str]
    extras: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def present(self) -> set[str]:
        """Canonical columns the file has (UnitPrice counts as present when Amount stands in for it)."""
        present = set(self.sources) - {AMOUNT_COLUMN, CURRENCY_COLUMN}
        if AMOUNT_COLUMN in self.sources:
            present.add("UnitPrice")
        return present

    @property
    def line_identity(self) -> bool:
        return {"InvoiceNo", "StockCode"} <= set(self.sources)


def _check_mapping(columns: list[str], column_map: Mapping[str, str], ctx: Context) -> None:
    allowed = set(_TARGETS) | {IGNORE}
    for source, target in column_map.items():
        if target not in allowed:
            ctx.fail(source, f"the mapping sends it to '{target}', which is not a canonical column", None, "",
                     f"map it to one of {sorted(allowed - {IGNORE})} (or to '{IGNORE}' to leave it out)")
        if source not in columns:
            close = difflib.get_close_matches(source, columns, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            ctx.fail(source, "the mapping names a column the file does not have", None, "",
                     f"{hint}the file's columns are {columns}")


def _targets(columns: list[str], column_map: Mapping[str, str]) -> tuple[list[str | None], list[str], list[str]]:
    """Per file column its target (None: not used), and the columns read by same name and by alias."""
    same, aliases = _same_names(), _alias_names()
    targets, by_name, by_alias = [], [], []
    for column in columns:
        if column in column_map:
            target = column_map[column]
            targets.append(None if target == IGNORE else target)
        elif column in ONLINE_RETAIL_II_NAMES:
            targets.append(ONLINE_RETAIL_II_NAMES[column])
        elif key(column) in same:
            targets.append(same[key(column)])
            if same[key(column)] != column:
                by_name.append(f"'{column}' as {same[key(column)]}")
        elif key(column) in aliases:
            targets.append(aliases[key(column)])
            by_alias.append(f"'{column}' as {aliases[key(column)]}")
        else:
            targets.append(None)
    return targets, by_name, by_alias


def _looks_like_data(names: list[str]) -> bool:
    """A header line made of numbers and dates is really the first transaction (the file has no header)."""
    value = re.compile(r"^[\d\s.,:/+\-£$€]+$")
    return sum(bool(value.match(n)) for n in names) >= max(2, len(names) // 2)


def _check_required(targets: list[str | None], columns: list[str], ctx: Context) -> None:
    """Stop when CustomerID, InvoiceDate or a money column is missing; suggest the closest unused column."""
    found = set(targets)
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if "UnitPrice" not in found and AMOUNT_COLUMN not in found:
        missing.append("UnitPrice")
    if not missing:
        return
    label = "UnitPrice (or Amount)" if missing[0] == "UnitPrice" else missing[0]
    names = ", ".join(f"'{c}'" for c in missing)
    problem = (f"required column{'s' if len(missing) > 1 else ''} {names} "
               f"{'are' if len(missing) > 1 else 'is'} missing (the file has {columns})")
    if _looks_like_data(columns):
        ctx.fail(label, problem, None, "", f"the first line looks like a transaction, not column names: add a "
                 f"header line ({','.join(CANONICAL_COLUMNS)})")
    keys = {key(c): c for c, t in zip(columns, targets, strict=True) if t is None}
    guesses: dict[str, str] = {}
    for column in missing:
        close = difflib.get_close_matches(key(column), list(keys), n=1, cutoff=0.6)
        if close and keys[close[0]] not in guesses:
            guesses[keys[close[0]]] = column
    if guesses:
        which = " and ".join(f"'{source}'" for source in guesses)
        fix = f"did you mean {which}? Map {'them' if len(guesses) > 1 else 'it'} with data.columns: {guesses}"
    else:
        fix = f"add data.columns: {{'<your column>': '{missing[0]}'}} to your params file"
    ctx.fail(label, problem, None, "", fix)


def _closest_known(column: str, absent: Iterable[str]) -> str | None:
    """The absent target whose name or alias ``column`` looks like a typo of (None: not close to any)."""
    names = {key(t): t for t in absent}
    names.update({key(a): t for t, aliases in ALIASES.items() if t in absent for a in aliases})
    if len(key(column)) < 3:
        return None
    close = difflib.get_close_matches(key(column), list(names), n=1, cutoff=_CLOSE)
    return names[close[0]] if close else None


def _check_typos(columns: list[str], targets: list[str | None], column_map: Mapping[str, str],
                 ctx: Context) -> None:
    """An unused column whose name is close to a column the file lacks is probably that column: stop."""
    absent = [t for t in _TARGETS if t not in set(targets)]
    if "UnitPrice" in targets and AMOUNT_COLUMN in absent:
        absent.remove(AMOUNT_COLUMN)  # a line total is optional when prices are there
    for column, target in zip(columns, targets, strict=True):
        if target is not None or column in column_map:
            continue
        guess = _closest_known(column, absent)
        if guess is not None:
            ctx.fail(column, f"the column is not one the analysis knows, but its name is close to {guess}",
                     None, "", f"did you mean {guess}? Map it with data.columns: {{'{column}': '{guess}'}}; if it "
                     f"is something else, leave it out with data.columns: {{'{column}': '{IGNORE}'}}")


def layout(columns: list[str], column_map: Mapping[str, str], ctx: Context) -> Layout:
    """Decide which file column feeds each canonical column, or stop with the one error saying why not."""
    if not columns:
        ctx.fail(None, "the file has no columns or no data", None, "", "export the transactions again")
    _check_mapping(columns, column_map, ctx)
    targets, by_name, by_alias = _targets(columns, column_map)
    twice = sorted({t for t in targets if t is not None and targets.count(t) > 1}, key=_TARGETS.index)
    if twice:
        sources = [c for c, t in zip(columns, targets, strict=True) if t == twice[0]]
        ctx.fail(twice[0], f"more than one column would become '{twice[0]}': {sources}", None, "",
                 "remove one of them from the file, or map the other to a different name with data.columns "
                 f"(or to '{IGNORE}')")
    _check_required(targets, columns, ctx)
    _check_typos(columns, targets, column_map, ctx)
    notes = []
    if by_name:
        notes.append(f"Read column {', '.join(by_name)} (same name up to case, spaces and '_').")
    if by_alias:
        notes.append(f"Read column {', '.join(by_alias)} (common names of those columns; map them otherwise with "
                     f"data.columns).")
    sources = {t: c for c, t in zip(columns, targets, strict=True) if t is not None}
    ignored = [c for c in columns if column_map.get(c) == IGNORE]
    extras = [c for c, t in zip(columns, targets, strict=True) if t is None and c not in ignored]
    return Layout(sources=sources, extras=extras, ignored=ignored, notes=notes)


def missing_column_notes(present: Iterable[str]) -> list[str]:
    """One sentence per optional column the file lacks, saying what is skipped without it."""
    present = set(present)
    missing = [c for c in COLUMN_USES if c not in present]
    if "StockCode" in missing and "Description" in missing:  # no product information at all
        missing.remove("Description")
        return [f"The file has no {c} column: {COLUMN_USES[c]}." if c != "StockCode" else
                f"The file has no StockCode or Description column: {COLUMN_USES[c]}." for c in missing]
    return [f"The file has no {c} column: {COLUMN_USES[c]}." for c in missing]
