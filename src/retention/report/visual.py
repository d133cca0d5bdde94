"""The visual check: render each report in headless Chromium at several widths and list what a reader would see.

Chromium is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON messages
separated by NUL bytes on file descriptors 3 and 4), so nothing listens on a port and nothing but
Debian's ``chromium`` package is needed. For each page and width the check loads the page offline, waits
for plotly and itables to render, runs ``visual_check.js`` in the page and saves screenshots.

Findings (one :class:`Finding` each):

* ``overflow``: an element sticks out of the report column (or the page scrolls sideways), outside an
  intentional horizontal scroll box (``.scroll-x``, DataTables' scroll body);
* ``cell-overflow``: text runs out of its table cell into the next (one finding per table);
* ``clipped-chart-text``: a chart's title, axis title or label runs past the chart's edge;
* ``missing-value-text``: "NaN", "nan", "None", "null" or "undefined" visible as text;
* ``chart-not-rendered`` / ``table-not-rendered``: a plotly chart without its SVG, an itables table that
  never initialised;
* ``blank-control``: a drop-down that shows no value (e.g. a page length missing from its menu);
* ``scroll-without-frozen-key``: a table that scrolls sideways while its first (key) column scrolls away;
* ``script-error``: an uncaught JavaScript exception;
* ``timeout``: the page did not load or answer within the browser's timeout.

Usage: ``python -m retention.report.visual reports [reports/cdnow ...] [--widths 1440 390]``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["WIDTHS", "CHROMIUM_FLAGS", "Finding", "Browser", "check_page", "check_reports", "find_chromium"]

WIDTHS = (1440, 390)
# Offline and quiet: no first-run, sync, component updates or background networking.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--disable-extensions", "--mute-audio")
_MAX_SHOT_PX = 24000


@dataclass(frozen=True)
class Finding:
    """One thing wrong on one page at one width."""

    page: str
    width: int
    check: str
    element: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page} @{self.width}px {self.check}: {self.element} — {self.detail}"


def find_chromium() -> str | None:
    """The Chromium binary on PATH (Debian names it ``chromium``), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium with one page, driven over the DevTools pipe.

    Parameters
    ----------
    binary : str, optional
        The Chromium executable; found on PATH when omitted.
    timeout : float
        Seconds to wait for any one protocol answer.
    """

    def __init__(self, binary: str | None = None, timeout: float = 60.0) -> None:
        self.binary = binary
        self.timeout = timeout

    def __enter__(self) -> Browser:
        binary = self.binary or find_chromium()
        if binary is None:
            raise FileNotFoundError("chromium is not installed: apt-get install -y chromium")
        self._profile = tempfile.mkdtemp(prefix="retention-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # bash moves our pipe ends to the descriptors 3 (commands in) and 4 (answers out) Chromium expects.
        script = 'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null'
        args = [binary, *CHROMIUM_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self._profile}",
                "about:blank"]
        self._proc = subprocess.Popen(["bash", "-c", script, *args], stdin=to_browser_r, stdout=from_browser_w,
                                      stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        target = next(t for t in self.send("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self._session = self.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime"):
            self.send(f"{domain}.enable", session=True)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, TimeoutError, RuntimeError):
            self.send("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one protocol command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._events.append(answer)

    def take_events(self, method: str) -> list[dict[str, Any]]:
        """The events of one kind received so far (and forget them)."""
        wanted = [e for e in self._events if e.get("method") == method]
        self._events = [e for e in self._events if e.get("method") != method]
        return wanted

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page (awaiting a promise) and return its JSON value."""
        result = self.send("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def open(self, url: str, width: int, height: int = 900) -> None:
        """Load ``url`` in a viewport ``width`` px wide (a phone below 600 px) and wait for its load event."""
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)
        self.take_events("Page.loadEventFired")
        self.take_events("Runtime.exceptionThrown")
        self.send("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + self.timeout
        while not self.take_events("Page.loadEventFired"):
            self._events.append(self._read_message(deadline))

    def screenshot(self, target: Path, width: int, height: int) -> list[Path]:
        """Save the page's top ``height`` px as PNG tiles ``<target>-01.png``, ``-02`` ... (about 5:3 each).

        Each tile is the viewport scrolled to its place (cheap, unlike rendering the whole page at once)."""
        tile = max(1200, width * 5 // 3)
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=tile, deviceScaleFactor=1,
                  mobile=width < 600)
        paths = []
        for i, top in enumerate(range(0, height, tile), 1):
            self.evaluate(f"window.scrollTo(0, {top}); new Promise((r) => setTimeout(r, 150))")
            # the clip is in page coordinates and lies inside the scrolled viewport
            clip = {"x": 0, "y": top, "width": width, "height": min(tile, height - top), "scale": 1}
            data = self.send("Page.captureScreenshot", session=True, format="png", clip=clip)["data"]
            path = target.with_name(f"{target.name}-{i:02d}.png")
            path.write_bytes(base64.b64decode(data))
            paths.append(path)
        return paths


def _check_script() -> str:
    return resources.files("retention.report").joinpath("visual_check.js").read_text(encoding="utf-8")


def check_page(browser: Browser, page: Path, width: int, shots: Path | None = None,
               settle_seconds: float = 15.0) -> list[Finding]:
    """Load one HTML page at one width, wait for charts and tables, and return what is wrong with it.

    Findings name the page by its path as given; screenshots go to ``shots/<stem>-<width>-NN.png``.
    """
    browser.open(page.resolve().as_uri(), width)
    script = _check_script()
    browser.evaluate(f"window.__retentionCheck = {script}; 0")
    deadline = time.monotonic() + settle_seconds
    while not browser.evaluate("window.__retentionCheck.ready()") and time.monotonic() < deadline:
        time.sleep(0.25)
    browser.evaluate("window.__retentionCheck.settle()")
    raw = browser.evaluate("window.__retentionCheck.run()")
    findings = [Finding(str(page), width, f["check"], f["element"], f["detail"]) for f in raw["findings"]]
    for event in browser.take_events("Runtime.exceptionThrown"):
        details = event["params"]["exceptionDetails"]
        text = (details.get("exception") or {}).get("description") or details.get("text", "")
        findings.append(Finding(str(page), width, "script-error", "page", text.splitlines()[0][:200]))
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        browser.screenshot(shots / f"{page.stem}-{width}", width, min(int(raw["height"]), _MAX_SHOT_PX))
    return findings


def check_reports(folders: Iterable[Path], widths: Sequence[int] = WIDTHS, shots: Path | None = None,
                  binary: str | None = None) -> list[Finding]:
    """Check every ``*.html`` page of each report folder at each width; screenshots go to ``<folder>/work/shots``
    unless ``shots`` names another folder."""
    findings: list[Finding] = []
    pages = [(folder, page, width) for folder in folders for page in sorted(Path(folder).glob("*.html"))
             for width in widths]
    browser = Browser(binary).__enter__()
    try:
        for folder, page, width in pages:
            try:
                findings += check_page(browser, page, width, shots or Path(folder) / "work" / "shots")
            except TimeoutError as error:  # a page that hangs the browser is a finding; go on with a new browser
                findings.append(Finding(str(page), width, "timeout", "page", str(error)))
                browser.__exit__(None, None, None)
                browser = Browser(binary).__enter__()
    finally:
        browser.__exit__(None, None, None)
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[Path("reports")])
    parser.add_argument("--widths", nargs="+", type=int, default=list(WIDTHS))
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    args = parser.parse_args(argv)
    findings = check_reports(args.folders, args.widths)
    if args.json:
        print(json.dumps([asdict(f) for f in findings], indent=1))
    else:
        for finding in findings:
            print(finding)
        print(f"{len(findings)} findings on {', '.join(map(str, args.folders))}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
