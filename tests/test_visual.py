"""The visual check: every report rendered in headless Chromium at 1440 px and 390 px (issue 16, item 7).

Two kinds of test:

* ``test_checker_*`` prove on a small page with known faults that the check finds each kind of fault and
  passes what is fine; they run whenever Debian's ``chromium`` is installed (a few seconds).
* ``test_report_*`` render every page of each report folder (``reports`` and ``reports/cdnow`` when they
  exist, or the folders in ``RETENTION_VISUAL_REPORTS``, separated by ``:``) and fail on any finding that
  is not in ``KNOWN_FAILURES``; they need ``RETENTION_VISUAL=1`` (``make test-visual`` sets it, installs
  chromium when missing and builds both profiles). Screenshots go to ``<folder>/work/shots/``.

``KNOWN_FAILURES`` lists findings accepted for a while, each with the reason; it is empty now. An entry that
no longer occurs fails ``test_report_known_failures_still_occur``, so the list only shrinks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retention.report import visual

ROOT = Path(__file__).resolve().parents[1]
HAS_CHROMIUM = visual.find_chromium() is not None
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="chromium is not installed (make test-visual installs it)")

# (profile, page stem, check, a substring of the element) -> why it is accepted for now.
# An entry matches at any width.
KNOWN_FAILURES: dict[tuple[str, str, str, str], str] = {
}


def _profile(folder: Path) -> str:
    return "default" if folder.resolve() == (ROOT / "reports").resolve() else folder.name


def _report_folders() -> list[Path]:
    listed = os.environ.get("RETENTION_VISUAL_REPORTS")
    folders = [Path(p) for p in listed.split(":")] if listed else [ROOT / "reports", ROOT / "reports" / "cdnow"]
    return [f for f in folders if (f / "index.html").exists()]


def _known(profile: str, finding: visual.Finding) -> tuple[str, str, str, str] | None:
    stem = Path(finding.page).stem
    for key in KNOWN_FAILURES:
        k_profile, k_stem, k_check, k_element = key
        if (k_profile, k_stem, k_check) == (profile, stem, finding.check) and k_element in finding.element:
            return key
    return None


# ---- the checker itself, on a page with known faults -------------------------------------------------------

FAULTY_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>main { max-width: 600px; margin: 0 auto; padding: 0 10px; }
.scroll-x { overflow-x: auto; } .frozen td:first-child { position: sticky; left: 0; background: #fff; }
.wide { width: 900px; height: 20px; background: #ccc; } td { white-space: nowrap; padding: 0 40px; }</style>
</head><body><main>
<h2>Overflow</h2><div class="wide" id="too-wide">too wide</div>
<h2>Scroll boxes</h2>
<div class="scroll-x" id="good-box"><table class="frozen"><tbody><tr><td>key</td><td>a</td><td>b</td><td>c</td>
<td>d</td><td>e</td><td>f</td><td>g</td><td>h</td><td>i</td><td>j</td></tr></tbody></table></div>
<div class="scroll-x" id="loose-box"><table><tbody><tr><td>key</td><td>a</td><td>b</td><td>c</td>
<td>d</td><td>e</td><td>f</td><td>g</td><td>h</td><td>i</td><td>j</td></tr></tbody></table></div>
<h2>Values</h2><table><tbody><tr><td id="nan-cell">NaN</td><td>Nanjing is fine</td></tr></tbody></table>
<p style="display:none">None hidden is fine</p>
<select id="blank-select"><option value="10">10</option></select>
<script>document.getElementById("blank-select").selectedIndex = -1;</script>
<h2>Charts</h2><div class="plotly-graph-div" id="dead-chart" style="height:300px"></div>
</main></body></html>
"""


@pytest.fixture(scope="module")
def faulty_findings(tmp_path_factory) -> list[visual.Finding]:
    page = tmp_path_factory.mktemp("visual") / "faulty.html"
    page.write_text(FAULTY_PAGE, encoding="utf-8")
    with visual.Browser() as browser:
        return visual.check_page(browser, page, 1440, settle_seconds=1.0)


@needs_chromium
def test_checker_finds_each_kind_of_fault(faulty_findings):
    found = {(f.check, f.element.split(" ")[0]) for f in faulty_findings}
    assert ("overflow", "div#too-wide.wide") in found
    assert ("scroll-without-frozen-key", "div#loose-box.scroll-x") in found
    assert ("missing-value-text", "td#nan-cell") in found
    assert ("blank-control", "select#blank-select") in found
    assert ("chart-not-rendered", "div#dead-chart.plotly-graph-div") in found


@needs_chromium
def test_checker_passes_what_is_fine(faulty_findings):
    elements = " ".join(f.element for f in faulty_findings)
    assert "good-box" not in elements  # scrolls, with its key column frozen
    assert "Nanjing" not in elements and "hidden" not in elements  # a word with "Nan" in it; invisible text
    assert len(faulty_findings) == 5, [str(f) for f in faulty_findings]


def test_explorer_script_uses_the_installed_itables_bundle_names():
    import itables
    from itables.javascript import generate_init_offline_itables_html

    from retention.report.explorer import itables_bundle_names

    module, event = itables_bundle_names()
    init = generate_init_offline_itables_html(Path(itables.__file__).parent / "html" / "dt_bundle.js")
    assert f"window.{module}" in init and event in init


# ---- the customer explorer in a browser: range filters, export of the filtered rows ------------------------------

@pytest.fixture(scope="module")
def explorer_page(tmp_path_factory):
    import itables
    import numpy as np
    import pandas as pd
    from itables.javascript import generate_init_offline_itables_html

    from retention.report.explorer import customer_explorer_html

    rng = np.random.default_rng(7)
    customers = pd.DataFrame({
        "CustomerID": [f"C{i:03d}" for i in range(120)], "Segment": rng.choice(["Champions", "Lost"], 120),
        "churn_probability": rng.random(120), "clv": rng.gamma(2, 300, 120),
        "expected_loss": np.where(np.arange(120) % 10 == 0, np.nan, rng.gamma(2, 50, 120)),
        "recommended_action": rng.choice(["Protect", "Win back", None], 120)})
    css = (Path(visual.__file__).parents[1] / "templates" / "retention" / "retention.css").read_text()
    bundle = Path(itables.__file__).parent / "html" / "dt_bundle.js"
    page = tmp_path_factory.mktemp("explorer") / "explorer.html"
    page.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head><body><main>
{generate_init_offline_itables_html(bundle)}
{customer_explorer_html(customers, "explorer", currency="USD", max_rows=100, seed=1)}</main></body></html>""")
    return page, customers


@needs_chromium
def test_explorer_range_filter_and_export_of_the_filtered_rows(explorer_page):
    import numpy as np
    import pandas as pd

    from retention.report.explorer import explorer_sample

    page, customers = explorer_page
    shown, _ = explorer_sample(customers, 100, seed=1)
    with visual.Browser() as browser:
        findings = visual.check_page(browser, page, 1440, settle_seconds=10.0)
        assert not findings, [str(f) for f in findings]
        assert browser.evaluate("document.getElementById('explorer-box').dataset.ready") == "true"
        # at least 50% churn probability and at most $600 of CLV, typed as a person would (percent, dollars)
        result = browser.evaluate("""(async () => {
          const box = document.getElementById("explorer-box");
          const [low] = box.querySelectorAll('.range[data-column="2"] input');
          const [, high] = box.querySelectorAll('.range[data-column="3"] input');
          low.value = "50"; low.dispatchEvent(new Event("input"));
          high.value = "600"; high.dispatchEvent(new Event("input"));
          const mod = await window._itables_2_9_1;
          const dt = new mod.default.Api(document.getElementById("explorer"));
          const conf = dt.settings()[0]._buttons[0].inst.s.buttons[0].conf;  // "Download the filtered rows"
          const data = dt.buttons.exportData(conf.exportOptions);
          return {count: dt.rows({search: "applied"}).count(), body: data.body, header: data.header,
                  shown: document.querySelector("#explorer tbody td:nth-child(3)").textContent};
        })()""")
    expected = shown[(shown["churn_probability"] >= 0.5) & (shown["clv"] <= 600)]
    assert result["count"] == len(expected) > 0
    exported = pd.DataFrame(result["body"], columns=result["header"])
    assert result["header"] == ["CustomerID", "Segment", "churn_probability", "clv", "expected_loss",
                                "recommended_action"]  # machine names, as in the full CSV
    assert sorted(exported["CustomerID"]) == sorted(expected["CustomerID"])
    clv = exported.set_index("CustomerID")["clv"].astype(float)
    assert np.allclose(clv.sort_index(), expected.set_index("CustomerID")["clv"].sort_index())  # raw numbers
    assert result["shown"].endswith("%")  # probabilities read as percentages, exported raw


# ---- every report of the default and CDNOW runs -------------------------------------------------------------

visual_run = pytest.mark.skipif(not (os.environ.get("RETENTION_VISUAL") and HAS_CHROMIUM),
                                reason="set RETENTION_VISUAL=1 with chromium installed (make test-visual)")
FOLDERS = _report_folders()


@pytest.fixture(scope="module")
def report_findings() -> dict[Path, list[visual.Finding]]:
    return {folder: visual.check_reports([folder]) for folder in FOLDERS}


@visual_run
@pytest.mark.parametrize("folder", FOLDERS, ids=_profile)
def test_report_pages_show_nothing_broken(folder, report_findings):
    profile = _profile(folder)
    pages = sorted(folder.glob("*.html"))
    assert len(pages) >= 6, f"{folder}: expected the five reports and the index"
    new = [str(f) for f in report_findings[folder] if _known(profile, f) is None]
    assert not new, f"{len(new)} findings (screenshots in {folder}/work/shots):\n" + "\n".join(new)


@visual_run
@pytest.mark.parametrize("folder", FOLDERS, ids=_profile)
def test_report_known_failures_still_occur(folder, report_findings):
    profile = _profile(folder)
    hit = {_known(profile, f) for f in report_findings[folder]}
    stale = [key for key in KNOWN_FAILURES if key[0] == profile and key not in hit]
    assert not stale, f"fixed, remove from KNOWN_FAILURES: {stale}"
