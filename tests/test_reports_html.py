"""Checks of the generated HTML reports (after `make reports`; skipped when no run exists).

Set RETENTION_REPORTS to check another profile's folder.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from retention.site import SERIES

ROOT = Path(__file__).resolve().parents[1]
REPORTS = Path(os.environ.get("RETENTION_REPORTS", ROOT / "reports"))
pytestmark = pytest.mark.skipif(not (REPORTS / "index.html").exists(), reason="no report run to check")


class _Page(HTMLParser):
    """Collects what the checks need: links, resources, the header line, headings, code cells."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.nav_links: list[str] = []
        self.resources: list[str] = []
        self.meta: dict[str, str] | None = None
        self.h1 = 0
        self.code_inputs = 0
        self._in_nav = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "nav" and "series-nav" in a.get("class", ""):
            self._in_nav = True
        if tag == "a" and "href" in a:
            (self.nav_links if self._in_nav else self.links).append(a["href"])
        if tag in ("script", "img", "iframe", "source", "video", "audio") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"])
        if tag == "div" and "report-meta" in a.get("class", "").split():
            self.meta = {k[5:]: v for k, v in a.items() if k.startswith("data-")}
        if tag == "h1":
            self.h1 += 1
        if "jp-InputArea-editor" in a.get("class", "").split():  # a code cell's source
            self.code_inputs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


REPORT_PAGES = [REPORTS / f"{stem}.html" for stem, _, _ in SERIES]


def _external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


@pytest.mark.parametrize("path", REPORT_PAGES, ids=lambda p: p.name)
def test_report_has_header_navigation_and_no_code(path):
    assert path.exists(), f"{path.name} was not generated"
    page = parse(path)
    assert page.h1 == 1
    assert page.meta is not None, "the header line (data, period, as-of date, profile) is missing"
    for field in ("source", "asof", "profile", "period"):
        assert page.meta.get(field, "").strip(), f"header field {field} is empty"
    expected = ["index.html"] + [f"{stem}.html" for stem, _, _ in SERIES]
    assert page.nav_links == expected
    for link in page.nav_links:
        assert (path.parent / link).exists(), f"navigation link {link} does not resolve"
    assert page.code_inputs == 0, "code cells are visible"


@pytest.mark.parametrize("path", [*REPORT_PAGES, REPORTS / "index.html"], ids=lambda p: p.name)
def test_page_fetches_nothing_from_the_network(path):
    page = parse(path)
    external = [u for u in page.resources if _external(u)]
    assert not external, f"{path.name} would fetch {external[:3]}"


@pytest.mark.parametrize("path", [*REPORT_PAGES, REPORTS / "index.html"], ids=lambda p: p.name)
def test_local_links_resolve(path):
    page = parse(path)
    local = [u.split("#")[0] for u in page.links if u and not _external(u) and not u.startswith(("#", "mailto:"))]
    missing = [u for u in local if u and not (path.parent / u).exists()]
    assert not missing, f"{path.name} links to missing files {missing[:5]}"


def test_index_lists_every_report_and_artifact():
    page = parse(REPORTS / "index.html")
    for stem, _, _ in SERIES:
        assert f"{stem}.html" in page.links
    artifacts = sorted(p.name for p in (REPORTS / "artifacts").glob("*.csv"))
    assert artifacts and all(f"artifacts/{name}" in page.links for name in artifacts)
