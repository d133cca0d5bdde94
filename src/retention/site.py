"""The landing page of a run (``index.html``) and the run manifest it shows."""

from __future__ import annotations

import datetime as dt
import html
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from retention.io import write_text_atomic
from retention.params import params_hash
from retention.paths import project_root

__all__ = ["SERIES", "run_manifest", "write_index", "key_results"]

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


def _format_kpi(kpi: dict[str, Any], currency: str) -> tuple[str, str]:
    from retention.report import money, number, pct

    name, now, before = kpi["name"], kpi["current"], kpi["previous"]
    fmt = pct if "rate" in name.lower() else (lambda v: money(v, currency)) if "revenue" in name.lower() else number
    if before is None or before != before:
        return fmt(now), "no previous period"
    arrow = "▲" if now > before else "▼" if now < before else "="
    return fmt(now), f"{arrow} from {fmt(before)} the period before"


def _summary_block(out_dir: Path) -> str:
    """KPI cards, narrative and actions from the executive summary notebook, if it has run."""
    path = out_dir / "work" / "executive_summary.json"
    if not path.exists():
        return ""
    summary = json.loads(path.read_text())
    esc = html.escape
    cards = []
    for kpi in summary["kpis"]:
        value, note = _format_kpi(kpi, summary["currency"])
        cards.append(f'<div class="kpi"><div class="label">{esc(kpi["name"])}</div><div class="value">{esc(value)}'
                     f'</div><div class="note">{esc(note)}</div><div class="note">{esc(kpi["definition"])}</div></div>')
    actions = "".join(f"<li>{esc(a)}</li>" for a in summary["actions"])
    return (f'<h2>Control tower <span class="muted">as of {esc(summary["as_of"])}</span></h2>'
            f'<div class="kpis">{"".join(cards)}</div><div class="callout"><strong>What this says</strong>'
            f'<p>{esc(summary["narrative"])}</p></div><h3>Recommended actions</h3><ol>{actions}</ol>')


def write_index(out_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``index.html``: headline KPIs, the reports, every CSV artifact with its row count, the manifest."""
    esc = html.escape
    rows = []
    for stem, title, question in SERIES:
        if (out_dir / f"{stem}.html").exists():
            rows.append(f'<li><a href="{stem}.html"><strong>{esc(title)}</strong></a> &mdash; {esc(question)}</li>')
    artifacts = sorted((out_dir / "artifacts").glob("*.csv"))
    art_rows = "".join(
        f'<tr><td><a href="artifacts/{esc(p.name)}">{esc(p.name)}</a></td><td class="num">{_csv_rows(p):,}</td></tr>'
        for p in artifacts)
    manifest_rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(json.dumps(v) if isinstance(v, dict) else str(v))}</td></tr>"
        for k, v in manifest.items())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Retention report series</title>
<style>
body {{ font-family: Inter, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 960px;
       padding: 24px; color: #1d2733; line-height: 1.5; }}
h1 {{ margin-bottom: 4px; }} .muted {{ color: #56606b; }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0 24px; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #e3e8ee; padding: 6px 8px; text-align: left; vertical-align: top;
         word-break: break-word; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.manifest th {{ white-space: nowrap; width: 1%; }}
li {{ margin: 6px 0; }}
.kpis {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 16px; }}
.kpi {{ flex: 1 1 200px; border: 1px solid #dde3ea; border-radius: 8px; padding: 12px 16px; background: #fff; }}
.kpi .label {{ color: #56606b; font-size: 13px; }} .kpi .value {{ font-size: 26px; font-weight: 600; margin: 4px 0; }}
.kpi .note {{ color: #56606b; font-size: 12px; }}
.callout {{ border-left: 4px solid #0072B2; background: #f3f8fc; padding: 12px 16px; border-radius: 4px; }}
.callout p {{ margin: 6px 0 0; }}
@media (max-width: 600px) {{ body {{ padding: 12px; }} .kpi {{ flex-basis: 100%; }} }}
</style></head><body>
<h1>Retention report series</h1>
<p class="muted">Data: {esc(str(manifest.get("data_path")))} &middot; period {esc(str(manifest.get("period")))}
 &middot; params: {esc(str(manifest.get("params_file")))}</p>
{_summary_block(out_dir)}
<h2>Reports</h2><ol>{"".join(rows)}</ol>
<h2>Data files for the CRM team</h2>
<table><thead><tr><th>File</th><th class="num">Rows</th></tr></thead><tbody>{art_rows}</tbody></table>
<h2>Run manifest</h2><table class="manifest"><tbody>{manifest_rows}</tbody></table>
</body></html>
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
