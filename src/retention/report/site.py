"""The landing page of a run (``index.html``) and the run manifest it shows."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import platform
import subprocess
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from retention.io import write_text_atomic
from retention.params import params_hash
from retention.paths import project_root
from retention.report.components import callout_html, decision_card_html, headline_kpi_cards, kpi_cards_html
from retention.report.formatting import day, number
from retention.report.labels import csv_dictionary, label

__all__ = ["SERIES", "NAV", "run_manifest", "write_index", "key_results", "find_artifact_json"]

# (notebook stem, title, the question it answers), in reading order: the steps of retention.catalog.
SERIES = [
    ("01_eda", "Data and activity",
     "What is in the log, what was cleaned out, and how the business moves over time?"),
    ("02_segmentation", "Customer segments",
     "Who are the customers: RFM segments, clusters, and how do customers move between segments?"),
    ("03_churn_model", "Churn risk",
     "Who is likely to stop buying within the churn horizon, how sure is the model, and why?"),
    ("04_customer_value", "Customer value",
     "What is each customer expected to buy and be worth, how uncertain is it, and how did past forecasts do?"),
    ("05_experiments", "Experiments",
     "What did a past campaign really do against a random control group, and who responds to an offer?"),
    ("06_campaigns", "Campaigns and the decision",
     "Which campaign to run, or none: expected profit, chance of a loss, and the test that would confirm it?"),
    ("07_executive_summary", "Executive summary",
     "What to do now and how the customer base is doing, on one page for the leadership team?"),
]
# Short names in the navigation bar of every page (the reports' template lists the same links).
NAV = [("01_eda", "Data"), ("02_segmentation", "Segments"), ("03_churn_model", "Churn"),
       ("04_customer_value", "Value"), ("05_experiments", "Experiments"), ("06_campaigns", "Campaigns"),
       ("07_executive_summary", "Summary")]
_PACKAGES = ["retention", "pandas", "numpy", "scipy", "scikit-learn", "plotly", "itables", "papermill", "nbconvert"]


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project_root(), capture_output=True,
                             text=True, check=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=project_root(),
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_manifest(params: dict[str, Any], params_file: str, info: dict[str, Any]) -> dict[str, Any]:
    """When, from which data and params, with which code and package versions this run was made."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "params_file": params_file,
        "params_hash": params_hash(params),
        "data_path": info.get("data_path"),
        "data_sha256": (info.get("fingerprint") or {}).get("data_sha256"),
        "rows_in": info.get("rows_in"),
        "rows_kept": info.get("rows_kept"),
        "period": f"{info.get('first_date')} to {info.get('end_date')}",
        "customer_ids": _id_state(params),
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "packages": versions,
    }


def _id_state(params: dict[str, Any]) -> str:
    from retention.catalog import privacy_state

    state = privacy_state(params)
    if not state["pseudonymised"]:
        return "as in the data (not pseudonymised)"
    return f"pseudonymised (salt fingerprint {state['salt_fingerprint']}; the salt itself is not recorded)"


def _csv_rows(path: Path) -> int:
    with open(path, "rb") as fh:
        return max(0, sum(1 for _ in fh) - 1)


def _csv_columns(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh), [])


def find_artifact_json(out_dir: Path, name: str) -> dict[str, Any] | None:
    """A run's JSON artifact (``kpis.json``, ``decision.json``): looked for in ``artifacts/``, ``work/`` and the
    run folder itself, in that order; None when the run has not written it."""
    for folder in (out_dir / "artifacts", out_dir / "work", out_dir):
        path = folder / name
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def _control_tower(out_dir: Path) -> str:
    """The decision card, the four headline KPI cards and the executive summary's narrative, all read from the
    run's products (``decision.json``, ``kpis.json``, ``work/executive_summary.json``): the same numbers as the
    executive summary, never computed here."""
    esc = html.escape
    decision = find_artifact_json(out_dir, "decision.json")
    kpis = find_artifact_json(out_dir, "kpis.json")
    summary_path = out_dir / "work" / "executive_summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else None
    parts = []
    if decision is not None:
        parts.append(decision_card_html(decision, fold=True))
    if kpis is not None:
        parts.append(f'<h2>How the customer base is doing <span class="muted">as of {esc(day(kpis["as_of"]))}'
                     f"</span></h2>")
        parts.append(kpi_cards_html(headline_kpi_cards(kpis)))
    if summary is not None and summary.get("narrative"):
        parts.append(callout_html(summary["narrative"], title="In short"))
    if decision is None and kpis is None:
        parts.append('<p class="muted">The decision and the headline numbers appear here once the campaigns step '
                     "(06_campaigns) has written decision.json and kpis.json.</p>")
    return "".join(parts)


_MANIFEST_LABELS = {"created_utc": "Created (UTC)", "params_file": "Params file", "params_hash": "Params hash",
                    "data_path": "Data file", "data_sha256": "Data SHA-256", "rows_in": "Lines read",
                    "rows_kept": "Lines kept", "period": "Period", "git_commit": "Code (git commit)",
                    "python": "Python", "packages": "Packages"}


def _manifest_value(key: str, value: Any) -> str:
    esc = html.escape
    if isinstance(value, dict):
        return "".join(f'<span class="package">{esc(str(k))} <b>{esc(str(v))}</b></span> ' for k, v in value.items())
    if isinstance(value, int) and not isinstance(value, bool):
        return esc(number(value))
    if key == "data_sha256" and value:
        return f'<code class="hash">{esc(str(value))}</code>'
    return esc(str(value)) if value is not None else "n/a"


def _manifest_table(manifest: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{html.escape(_MANIFEST_LABELS.get(k, label(k)))}</th><td>{_manifest_value(k, v)}</td></tr>"
                   for k, v in manifest.items())
    return f'<table class="manifest"><tbody>{rows}</tbody></table>'


def _artifacts_table(out_dir: Path) -> str:
    """Every CSV with its row count and its columns (machine names, documented once with labels and meanings)."""
    esc = html.escape
    rows = []
    for path in sorted((out_dir / "artifacts").glob("*.csv")):
        columns = csv_dictionary(_csv_columns(path))
        listing = "".join(f"<tr><td><code>{esc(c)}</code></td><td>{esc(lab)}</td><td>{esc(m)}</td></tr>"
                          for c, lab, m in columns.itertuples(index=False))
        details = (f'<details class="columns"><summary>{len(columns)} columns</summary><div class="scroll-x">'
                   f'<table class="static-table columns key-first"><thead><tr><th>Column</th><th>Label</th>'
                   f"<th>Meaning</th></tr></thead><tbody>{listing}</tbody></table></div></details>")
        rows.append(f'<tr><td><a href="artifacts/{esc(path.name)}">{esc(path.name)}</a>{details}</td>'
                    f'<td class="num">{_csv_rows(path):,}</td></tr>')
    return (f'<div class="scroll-x"><table class="static-table files"><thead><tr><th>File</th><th class="num">Rows'
            f'</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _stylesheet() -> str:
    return resources.files("retention").joinpath("templates/retention/retention.css").read_text(encoding="utf-8")


_INDEX_CSS = """
body.retention-index main { max-width: 1100px; margin: 0 auto; padding: 8px 24px 48px; background: #fff;
  line-height: 1.5; font-size: 15px; }
body.retention-index h1 { margin: 18px 0 4px; font-size: 30px; }
body.retention-index h2 { font-size: 21px; margin-top: 30px; border-bottom: 1px solid var(--ret-line);
  padding-bottom: 4px; }
.muted { color: var(--ret-muted); }
body.retention-index li { margin: 6px 0; }
table.static-table { border-collapse: collapse; width: 100%; font-size: 14px; }
table.static-table th, table.static-table td { border-bottom: 1px solid var(--ret-line); padding: 5px 8px;
  text-align: left; vertical-align: top; }
table.static-table th { background: #f1f4f7; }
table.static-table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.manifest { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 24px; }
table.manifest th { white-space: nowrap; width: 1%; text-align: left; padding: 5px 12px 5px 0; vertical-align: top; }
table.manifest td { padding: 5px 0; border-bottom: 1px solid var(--ret-line); overflow-wrap: anywhere; }
table.manifest .package { display: inline-block; margin: 0 10px 2px 0; }
code.hash { font-size: 12px; overflow-wrap: anywhere; word-break: break-all; }
details.columns { margin: 2px 0 4px; font-size: 13px; }
details.columns summary { cursor: pointer; color: var(--ret-muted); }
@media (max-width: 700px) { body.retention-index main { padding: 8px 12px 32px; }
  table.manifest th { white-space: normal; } }
"""


def _or_na(value: Any) -> str:
    return "n/a" if value is None else str(value)


def _nav() -> str:
    links = "".join(f'<a href="{stem}.html">{i} {html.escape(short)}</a>'
                    for i, (stem, short) in enumerate(NAV, 1))
    return (f'<nav class="series-nav" aria-label="Report series"><a class="home" href="index.html">Retention reports'
            f"</a>{links}</nav>")



def write_index(out_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``index.html``: the decision card and KPI cards, the reports, every CSV artifact with its row count and
    column dictionary, and the run manifest as a readable table."""
    esc = html.escape
    rows = []
    for number_, (stem, title, question) in enumerate(SERIES, 1):
        if (out_dir / f"{stem}.html").exists():
            rows.append(f'<li value="{number_}"><a href="{stem}.html"><strong>{esc(title)}</strong></a> &mdash; '
                        f"{esc(question)}</li>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Retention report series</title>
<style>{_stylesheet()}{_INDEX_CSS}</style></head>
<body class="retention-report retention-index">
{_nav()}
<main>
<h1>Retention report series</h1>
<p>Seven reports turn the shop's transaction log into retention decisions; the decision and the headline numbers
come first, the reports that explain them below.</p>
<p class="muted">Data: {esc(_or_na(manifest.get("data_path")))} &middot; period {esc(_or_na(manifest.get("period")))}
 &middot; params: {esc(_or_na(manifest.get("params_file")))}</p>
{_control_tower(out_dir)}
<h2>Reports</h2><ol>{"".join(rows)}</ol>
<h2>Data files for the CRM team</h2>
<p class="muted">The files keep machine column names; open a file's column list for what each column means.</p>
{_artifacts_table(out_dir)}
<h2>Run manifest</h2>{_manifest_table(manifest)}
</main></body></html>
"""
    target = out_dir / "index.html"
    write_text_atomic(page, target)
    write_text_atomic(json.dumps(manifest, indent=2, sort_keys=True), out_dir / "manifest.json")
    return target


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the whole series first (make reports).")
    return json.loads(path.read_text(encoding="utf-8"))


def _without_notes(value: Any) -> Any:
    """``value`` without its ``note`` sentences (their numbers are reviewed as numbers; wording is not)."""
    if isinstance(value, dict):
        return {k: _without_notes(v) for k, v in value.items() if k != "note"}
    return value


_DECISION_KEYS = ("action", "pinned", "campaign", "analysis_pick", "test_campaign", "targets", "expected_net_profit",
                  "roi", "p_loss", "break_even_uplift", "assumed_uplift", "break_even_status", "max_p_loss")
_OPTION_KEYS = ("targets", "expected_net_profit", "roi", "p_loss", "break_even_uplift")


def key_results(out_dir: Path) -> dict[str, Any]:
    """The run's key numbers in one small dict, committed as ``results/key_results.json`` for regression review:
    the data, the churn model, the value model, the experiment read, the decision (with every option evaluated)
    and the headline KPIs, each read from the product its step wrote."""
    work, artifacts = out_dir / "work", out_dir / "artifacts"
    info = _read_json(work / "prepared.json")
    decision = _read_json(artifacts / "decision.json")
    kpis = _read_json(artifacts / "kpis.json")
    offer = decision.get("offer") or {}
    return {
        "data": {k: info.get(k) for k in ("rows_in", "rows_kept", "customers", "first_date", "end_date")},
        "churn": _without_notes(_read_json(artifacts / "churn_summary.json")),
        "value": _without_notes(_read_json(artifacts / "value_summary.json")),
        "experiment": _without_notes(_read_json(artifacts / "experiment_summary.json")),
        "decision": {**{k: decision.get(k) for k in _DECISION_KEYS}, "cost_model": offer.get("cost_model"),
                     "options": {a["campaign"]: {k: a.get(k) for k in _OPTION_KEYS}
                                 for a in decision.get("alternatives") or []}},
        "kpis": {k["key"]: {"current": k["current"], "previous": k["previous"], "change": k.get("change")}
                 for k in kpis["kpis"]},
    }
