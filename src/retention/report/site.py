"""The landing page of a run (``index.html``) and the run manifest it shows."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import platform
import subprocess
from dataclasses import replace
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from retention.io import write_text_atomic
from retention.params import params_hash
from retention.paths import project_root
from retention.report.components import (
    KpiCard,
    callout_html,
    decision_card_html,
    kpi_cards_from_json,
    kpi_cards_html,
)
from retention.report.formatting import day, number, pct
from retention.report.labels import csv_dictionary, label

__all__ = ["SERIES", "run_manifest", "write_index", "key_results", "find_artifact_json"]

# (notebook stem, title, the question it answers), in reading order.
SERIES = [
    ("01_eda", "Data and activity", "What is in the log, what was cleaned out, and how the business moves over time."),
    ("02_segmentation", "Customer segments", "Who the customers are: RFM segments, clusters and how they move."),
    ("03_churn_model", "Churn model", "Who will not buy again in the horizon, how sure we are, and why."),
    ("04_clv_roi", "Lifetime value and campaign ROI", "What customers are worth and which campaign pays."),
    ("05_executive_summary", "Executive summary", "The four numbers and three actions for the leadership team."),
]
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


# Until the decisions library writes kpis.json (contract C6), the index reads the executive summary's KPIs and
# needs to know their unit and direction.
_LEGACY_KPIS = {"Active customers": ("active", "count", True), "At-risk customers": ("at_risk", "count", False),
                "Revenue exposure": ("revenue_exposure", "money", False),
                "Retention rate": ("retention_rate", "share", True)}


def _legacy_kpis(summary: dict[str, Any]) -> dict[str, Any]:
    """The executive summary's KPIs in the shape of ``kpis.json``."""
    kpis = []
    for kpi in summary["kpis"]:
        key, unit, higher = _LEGACY_KPIS.get(kpi["name"], (kpi["name"], "count", None))
        kpis.append({**kpi, "key": key, "unit": unit, "higher_is_better": higher})
    return {"as_of": summary["as_of"], "previous_as_of": None, "currency": summary["currency"],
            "period_days": summary.get("period_days"), "kpis": kpis}


# The four cards of the index (2 x 2 or 4 x 1); the at-risk share goes into the at-risk card's note.
INDEX_KPIS = ("base", "at_risk", "expected_loss", "retention_rate")


def _index_cards(kpis: dict[str, Any]) -> list[KpiCard]:
    present = {k["key"]: k for k in kpis["kpis"]}
    keys = [k for k in INDEX_KPIS if k in present]
    cards = kpi_cards_from_json(kpis, keys if len(keys) == len(INDEX_KPIS) else None)
    share = present.get("at_risk_share")
    if share is not None and len(keys) == len(INDEX_KPIS):
        cards[1] = replace(cards[1], note=f"{pct(share['current'])} of the customer base")
    return cards


def _control_tower(out_dir: Path) -> str:
    """The decision card and KPI cards (from ``decision.json`` / ``kpis.json``, else the executive summary)."""
    esc = html.escape
    decision = find_artifact_json(out_dir, "decision.json")
    kpis = find_artifact_json(out_dir, "kpis.json")
    summary_path = out_dir / "work" / "executive_summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    if kpis is None and summary is not None:
        kpis = _legacy_kpis(summary)
    parts = []
    if decision is not None:
        parts.append(decision_card_html(decision))
    if kpis is not None:
        parts.append(f'<h2>Control tower <span class="muted">as of {esc(day(kpis["as_of"]))}</span></h2>')
        parts.append(kpi_cards_html(_index_cards(kpis)))
    if decision is None and summary is not None:
        actions = "".join(f"<li>{esc(a)}</li>" for a in summary["actions"])
        parts.append(callout_html(summary["narrative"]) + f"<h3>Recommended actions</h3><ol>{actions}</ol>")
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
                    for i, (stem, short) in enumerate(_NAV, 1))
    return (f'<nav class="series-nav" aria-label="Report series"><a class="home" href="index.html">Retention reports'
            f"</a>{links}</nav>")


_NAV = [("01_eda", "Data"), ("02_segmentation", "Segments"), ("03_churn_model", "Churn"), ("04_clv_roi", "CLV & ROI"),
        ("05_executive_summary", "Summary")]


def write_index(out_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``index.html``: the decision card and KPI cards, the reports, every CSV artifact with its row count and
    column dictionary, and the run manifest as a readable table."""
    esc = html.escape
    rows = []
    for stem, title, question in SERIES:
        if (out_dir / f"{stem}.html").exists():
            rows.append(f'<li><a href="{stem}.html"><strong>{esc(title)}</strong></a> &mdash; {esc(question)}</li>')
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Retention report series</title>
<style>{_stylesheet()}{_INDEX_CSS}</style></head>
<body class="retention-report retention-index">
{_nav()}
<main>
<h1>Retention report series</h1>
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


def key_results(out_dir: Path) -> dict[str, Any]:
    """The run's key numbers in one small dict, committed as ``results/key_results.json`` for regression review."""
    work, artifacts = out_dir / "work", out_dir / "artifacts"
    info = json.loads((work / "prepared.json").read_text())
    churn = json.loads((artifacts / "churn_summary.json").read_text())
    roi = json.loads((work / "roi_summary.json").read_text())
    summary = json.loads((work / "executive_summary.json").read_text())
    return {
        "data": {k: info[k] for k in ("rows_in", "rows_kept", "customers", "first_date", "end_date")},
        "churn": churn,
        "campaigns": roi,
        "kpis": {k["name"]: {"current": k["current"], "previous": k["previous"]} for k in summary["kpis"]},
    }
