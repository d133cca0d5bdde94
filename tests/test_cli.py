"""The command line the Makefile runs: a summary and the notes on success, one ``error:`` line and exit 2 on
anything the user can fix."""

import datetime as dt
import json

import yaml

from retention import cli

# Six customers, customer c buying every 5 + 3c days from day c % 3 on, for 120 days: enough churners and
# stayers for the churn model's folds (what `prepare` checks before the notebooks run).
_PURCHASES = sorted((dt.datetime(2010, 12, 1, 8, 26) + dt.timedelta(days=d), c)
                    for c in range(6) for d in range(c % 3, 120, 5 + 3 * c))
LOG = ("InvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID;Country\n"
       + "".join(f"{536365 + i};85123A;CAFÉ;6;{when:%d/%m/%Y %H:%M};2,55;{17850 + c};France\n"
                 for i, (when, c) in enumerate(_PURCHASES)))


def profile(tmp_path, **data):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"data": {"source": "file", **data},
                                    "churn": {"horizon_days": 7, "min_history_days": 28, "n_train_cutoffs": 4,
                                              "spacing_days": 7},
                                    "clv": {"holdout_days": 14, "penalizer": 0.01}}))
    return str(path)


def test_prepare_prints_a_summary_and_the_notes(tmp_path, capsys):
    data = tmp_path / "export.csv"
    data.write_bytes(LOG.encode("cp1252"))
    out = tmp_path / "out"
    assert cli.main(["prepare", "--params", profile(tmp_path, path=str(data)), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"prepared 72 of 72 lines, 6 customers, 2010-12-01 to 2011-03-26 -> {out}"
    notes = json.loads((out / "work" / "prepared.json").read_text())["notes"]
    assert printed[1:] == [f"  note: {note}" for note in notes]
    assert any("semicolons" in n for n in notes) and any("decimal comma" in n for n in notes)
    assert any("Windows-1252" in n for n in notes) and any("day/month/year" in n for n in notes)


def test_errors_are_one_line_on_stderr_with_exit_code_2(tmp_path, capsys):
    data = tmp_path / "export.csv"
    data.write_text("CustomerID,InvoiceDate,UnitPrice\n1,2010-12-01,2.5\n")
    assert cli.main(["prepare", "--params", profile(tmp_path, path=str(data), end_date="2011-01-01"),
                     "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert "data.end_date 2011-01-01 is after the last transaction" in captured.err


def test_an_output_folder_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path, capsys):
    data = tmp_path / "export.csv"
    data.write_text(LOG)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main(["prepare", "--params", profile(tmp_path, path=str(data)), "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Fix: check that the folder exists and can be written to" in err


def test_index_before_prepare_says_what_to_run(tmp_path, capsys):
    params = profile(tmp_path, path="whatever.csv")
    assert cli.main(["index", "--params", params, "--out", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "prepared.json is missing. Fix: run `retention prepare" in err


def test_bad_params_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"data": {"source": "database"}}))
    assert cli.main(["generate", "--params", str(bad)]) == 2
    assert "data.source = 'database' is not one of ['generated', 'file', 'cdnow']" in capsys.readouterr().err
