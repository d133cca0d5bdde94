#!/usr/bin/env bash
# Check that moving the what-if slider in the CLV & ROI report changes the figure, in headless Chromium.
# It clicks the slider rail near its right end (as a user would) and reports the heat map shown before
# and after, read from the page itself. usage: tools/check_slider.sh [reports/04_clv_roi.html]
set -euo pipefail
page=$(readlink -f "${1:-reports/04_clv_roi.html}")
work=$(mktemp -d)
cp "$page" "$work/page.html"
cat >> "$work/page.html" <<'JS'
<script>
// Headless Chromium paints no frames under --dump-dom, so animation frames never come: run them as timers.
window.requestAnimationFrame = function (cb) { return setTimeout(function () { cb(Date.now()); }, 16); };
window.addEventListener("load", function () {
  setTimeout(function () {
    var gd = document.getElementById("what-if");
    var shown = function () { return gd.data.findIndex(function (t) { return t.visible === true; }); };
    var before = [shown(), gd.layout.title.text];

    var rail = gd.querySelector(".slider-rail-touch-rect");
    var box = rail.getBoundingClientRect();
    var x = box.left + box.width * 0.97, y = box.top + box.height / 2;
    var opts = {bubbles: true, cancelable: true, clientX: x, clientY: y, view: window, buttons: 1};
    rail.dispatchEvent(new MouseEvent("mousedown", opts));
    window.dispatchEvent(new MouseEvent("mousemove", opts));
    window.dispatchEvent(new MouseEvent("mouseup", opts));
    document.dispatchEvent(new MouseEvent("mouseup", opts));
    var tries = 0;
    var report = function () {
      var after = [shown(), gd.layout.title.text];
      if (after[0] === before[0] && tries++ < 40) { setTimeout(report, 100); return; }

      var out = document.createElement("pre");
      out.id = "slider-check";
      out.textContent = "before=" + JSON.stringify(before) + " after=" + JSON.stringify(after);
      document.body.appendChild(out);
    };
    setTimeout(report, 100);
  }, 1000);
});
</script>
JS
result=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$work/profile" \
  --virtual-time-budget=10000 --window-size=1280,3000 --dump-dom "file://$work/page.html" 2>/dev/null \
  | grep -o 'id="slider-check">[^<]*' | sed 's/id="slider-check">//; s/&quot;/"/g')
rm -rf "$work"
echo "${result:-no result}"
case "$result" in
  before=*after=*) b=${result%% after=*}; a=${result#* after=}; b=${b#before=}
    if [ "$b" != "$a" ]; then echo "OK: the slider changed the figure"; exit 0; fi ;;
esac
echo "FAIL: the figure did not change"; exit 1
