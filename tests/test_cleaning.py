import pandas as pd
import pytest

from retention.cleaning import LEDGER_REASONS, RULES, clean_transactions

LINES = [
    ("1001", "A", 2, "2011-01-03 10:00", 5.0, "1"),      # kept
    ("1001", "A", 2, "2011-01-03 10:00", 5.0, "1"),      # duplicate_line
    ("1002", "B", 1, "2011-01-04 10:00", 3.0, None),     # missing_customer_id
    ("1010", "B", 1, None, 3.0, "4"),                    # missing_date
    ("C1003", "A", -1, "2011-01-05 10:00", 5.0, "1"),    # cancellation (kept aside as a return)
    ("1004", "B", -2, "2011-01-05 11:00", 3.0, "2"),     # non_positive_quantity
    ("1005", "POST", 1, "2011-01-06 10:00", 18.0, "2"),  # non_product_code
    ("1006", "B", 3, "2011-01-06 11:00", 0.0, "2"),      # non_positive_price
    ("1007", "B", 1, "2011-03-01 09:00", 3.0, "2"),      # after_end_date (end 2011-02-28)
    ("1008", "B", 80995, "2011-01-07 10:00", 2.08, "3"),  # outlier
    ("1009", "B", 4, "2011-02-28 23:59", 3.0, "3"),      # kept: the end day is inclusive
]


def test_every_rule_counts_its_line_and_the_ledger_adds_up(lines):
    result = clean_transactions(lines(LINES), non_product_codes=["POST"], max_quantity=10_000,
                                end_date=pd.Timestamp("2011-02-28"))
    counts = result.ledger.set_index("reason")["rows"]
    for reason, _ in RULES:
        assert counts[reason] == 1, reason
    assert counts["rows_in"] == 11 and counts["rows_kept"] == 2
    assert counts["rows_in"] == counts["rows_kept"] + sum(counts[r] for r, _ in RULES)
    assert result.transactions["InvoiceNo"].tolist() == ["1001", "1009"]
    assert result.transactions["Revenue"].tolist() == [10.0, 12.0]
    revenue = result.ledger.set_index("reason")["revenue"]
    assert revenue["outlier"] == pytest.approx(80995 * 2.08)
    assert revenue["rows_in"] == pytest.approx(revenue["rows_kept"] + sum(revenue[r] for r, _ in RULES))


def test_cancellations_of_identified_products_are_kept_as_returns(lines):
    result = clean_transactions(lines(LINES), non_product_codes=["POST"], end_date=pd.Timestamp("2011-02-28"))
    assert sorted(result.returns["InvoiceNo"]) == ["1004", "C1003"]
    assert result.returns["Revenue"].sum() == pytest.approx(-5.0 - 6.0)


def test_a_line_is_charged_to_the_first_rule_it_breaks(lines):
    # No customer AND a cancellation AND a zero price: counted once, as missing_customer_id.
    result = clean_transactions(lines([("C1", "A", -1, "2011-01-01", 0.0, None),
                                            ("2", "A", 1, "2011-01-01", 1.0, "9")]))
    counts = result.ledger.set_index("reason")["rows"]
    assert counts["missing_customer_id"] == 1 and counts["cancellation"] == 0 and counts["non_positive_price"] == 0


def test_end_date_defaults_to_the_last_day_in_the_data(lines):
    result = clean_transactions(lines(LINES[:1] + LINES[-1:]))
    assert result.end_date == pd.Timestamp("2011-02-28")
    assert result.rows_kept == 2


def test_generated_log_ledger_identity(small_log):
    result = clean_transactions(small_log.transactions, non_product_codes=["POST", "DOT", "M", "C2", "PADS",
                                                                           "BANK CHARGES", "AMAZONFEE", "B"])
    counts = result.ledger.set_index("reason")["rows"]
    assert counts["rows_in"] == len(small_log.transactions)
    assert counts["rows_in"] == counts["rows_kept"] + sum(counts[r] for r, _ in RULES)
    assert counts["missing_customer_id"] > 0 and counts["cancellation"] > 0 and counts["duplicate_line"] > 0
    assert (result.transactions["Revenue"] > 0).all()
    assert not result.transactions.duplicated().any()


def test_lines_the_loader_removed_are_counted_first_and_the_ledger_still_adds_up(lines):
    result = clean_transactions(lines(LINES[:2]), pre_dropped={"repeated_header": 3, "blank_line": 1,
                                                                "far_future_date": 2})
    ledger = result.ledger
    assert ledger["reason"].tolist()[:6] == ["rows_in", "blank_line", "repeated_header", "far_past_date",
                                             "far_future_date", "missing_customer_id"]
    assert ledger["reason"].tolist() == ["rows_in", *[r for r, _ in LEDGER_REASONS], "rows_kept"]
    counts = ledger.set_index("reason")["rows"]
    assert counts["rows_in"] == 8 and counts["repeated_header"] == 3 and counts["blank_line"] == 1
    assert counts["far_future_date"] == 2 and counts["far_past_date"] == 0
    assert counts["rows_in"] == counts["rows_kept"] + sum(counts[r] for r, _ in LEDGER_REASONS)
    assert result.rows_in == 8 and ledger["step"].tolist() == list(range(len(ledger)))
    with pytest.raises(ValueError, match="unknown reasons"):
        clean_transactions(lines(LINES[:2]), pre_dropped={"typo": 1})


def test_identical_lines_are_kept_when_duplicates_cannot_be_told_apart(lines):
    twice = lines(LINES[:2])
    assert clean_transactions(twice).rows_kept == 1
    kept = clean_transactions(twice, detect_duplicates=False)
    assert kept.rows_kept == 2 and kept.ledger.set_index("reason")["rows"]["duplicate_line"] == 0
