// The in-page half of retention.report.visual: what a reader would see wrong on this page at this width.
// Evaluated as an expression; returns an object with ready(), settle() and run().
({
  // Intentional horizontal scroll boxes: content may be wider than the column inside these (when they scroll).
  SCROLL_BOXES: ".scroll-x, .dt-scroll-body, .dt-layout-table > .dt-layout-cell",
  MISSING: /(^|[^A-Za-z0-9_])(NaN|nan|None|undefined)(?![A-Za-z0-9_])/,
  CHART_TEXT: "text.gtitle, text.xtitle, text.ytitle, g.xtick text, g.ytick text, text.legendtext, " +
              "g.annotation text, text.colorbar-title, text.cbtitle, g.cbaxis text, .sankey .node-label",

  ready() {
    const charts = [...document.querySelectorAll(".plotly-graph-div")];
    const chartsDone = charts.every((c) => c.querySelector(".main-svg"));
    const tablesDone = ![...document.querySelectorAll("table")].some((t) => /Loading ITables/.test(t.textContent));
    return chartsDone && tablesDone && document.readyState === "complete";
  },

  settle() {
    // An animation frame, or 100 ms when the page paints no frames (hidden or throttled).
    const frame = () => new Promise((resolve) => { requestAnimationFrame(() => resolve()); setTimeout(resolve, 100); });
    return Promise.race([document.fonts.ready, new Promise((r) => setTimeout(r, 2000))]).then(frame).then(frame).then(() => new Promise((r) => setTimeout(r, 300)));
  },

  visible(el) {
    if (!el.getClientRects().length) return false;
    const closed = el.closest("details:not([open])");
    if (closed && el !== closed) {
      const summary = closed.querySelector(":scope > summary");
      if (!summary || !summary.contains(el)) return false;  // folded away: not seen until opened
    }
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && parseFloat(style.opacity || "1") > 0;
  },

  describe(el) {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    const classes = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean).slice(0, 2);
    if (classes.length) name += "." + classes.join(".");
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
    const section = this.section(el);
    return name + (text ? ` "${text}"` : "") + (section ? ` in "${section}"` : "");
  },

  section(el) {
    // The nearest h2 above the element: where a reader finds it.
    let found = "";
    for (const h of document.querySelectorAll("h1, h2")) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) {
        found = h.textContent.replace(/\u00b6/g, "").trim();
      } else break;
    }
    return found.slice(0, 50);
  },

  inScrollBox(el) {
    let box = el.parentElement ? el.parentElement.closest(this.SCROLL_BOXES) : null;
    while (box) {
      const ox = getComputedStyle(box).overflowX;
      if (ox === "auto" || ox === "scroll") return true;
      box = box.parentElement ? box.parentElement.closest(this.SCROLL_BOXES) : null;
    }
    return false;
  },

  overflow(findings) {
    const column = document.querySelector("main") || document.body;
    const box = column.getBoundingClientRect();
    const style = getComputedStyle(column);
    const left = box.left + parseFloat(style.paddingLeft) - 1;
    const right = box.right - parseFloat(style.paddingRight) + 1;
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) {
      findings.push({check: "overflow", element: "page",
                     detail: `the page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`});
    }
    const flagged = [];
    for (const el of column.querySelectorAll("*")) {
      if (el.closest("svg") || flagged.some((f) => f.contains(el))) continue;
      if (!this.visible(el) || this.inScrollBox(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right > right || r.left < left) {
        flagged.push(el);
        findings.push({check: "overflow", element: this.describe(el),
                       detail: `spans ${Math.round(r.left)}..${Math.round(r.right)}px, the column ` +
                               `${Math.round(left + 1)}..${Math.round(right - 1)}px`});
        continue;
      }
      const ox = getComputedStyle(el).overflowX;
      if ((ox === "hidden" || ox === "clip") && el.scrollWidth > el.clientWidth + 1 && !el.closest(".js-plotly-plot")) {
        flagged.push(el);
        findings.push({check: "overflow", element: this.describe(el),
                       detail: `content ${el.scrollWidth}px wide is cut at ${el.clientWidth}px`});
      }
    }
  },

  chartText(findings) {
    for (const chart of document.querySelectorAll(".js-plotly-plot")) {
      const svg = chart.querySelector(".main-svg");
      if (!svg) continue;
      const box = svg.getBoundingClientRect();
      const seen = new Set();
      for (const t of chart.querySelectorAll(this.CHART_TEXT)) {
        if (!this.visible(t) || !t.textContent.trim()) continue;
        const r = t.getBoundingClientRect();
        if (r.width === 0) continue;
        if (r.right > box.right + 1 || r.left < box.left - 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          const kind = t.getAttribute("class") || t.parentElement.getAttribute("class") || "text";
          if (seen.has(kind)) continue;
          seen.add(kind);
          findings.push({check: "clipped-chart-text", element: `#${chart.id} ${kind} "${t.textContent.slice(0, 50)}"`,
                         detail: `text spans ${Math.round(r.left)}..${Math.round(r.right)}px, the chart ` +
                                 `${Math.round(box.left)}..${Math.round(box.right)}px`});
        }
      }
    }
  },

  barText(findings) {
    // A bar's value label drawn past the plot area, where plotly clips it (cliponaxis), e.g. "58,162" read as "5".
    for (const chart of document.querySelectorAll(".js-plotly-plot")) {
      const svg = chart.querySelector(".main-svg"), layout = chart._fullLayout;
      if (!svg || !layout || !layout._plots) continue;
      const box = svg.getBoundingClientRect();
      const areas = Object.values(layout._plots).map((p) => ({
        left: box.left + p.xaxis._offset, right: box.left + p.xaxis._offset + p.xaxis._length,
        top: box.top + p.yaxis._offset, bottom: box.top + p.yaxis._offset + p.yaxis._length}));
      const clipped = (chart.data || []).some((t) => t.type === "bar" && t.cliponaxis !== false);
      if (!clipped) continue;
      for (const t of chart.querySelectorAll("text.bartext")) {
        const r = t.getBoundingClientRect();
        if (!t.textContent.trim() || r.width === 0) continue;
        const inside = areas.some((a) => r.left >= a.left - 1 && r.right <= a.right + 1 && r.top >= a.top - 1 &&
                                         r.bottom <= a.bottom + 1);
        if (!inside) {
          findings.push({check: "clipped-chart-text", element: `#${chart.id} bartext "${t.textContent}"`,
                         detail: `the bar label runs past the plot area, which cuts it`});
          break;
        }
      }
    }
  },

  missingValues(findings) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest("script, style, noscript, template, title")) continue;
      const match = this.MISSING.exec(node.textContent);
      if (!match || !this.visible(parent)) continue;
      const where = this.describe(parent);
      if (seen.has(where)) continue;
      seen.add(where);
      findings.push({check: "missing-value-text", element: where,
                     detail: `shows "${match[2]}": ` + node.textContent.replace(/\s+/g, " ").trim().slice(0, 80)});
    }
  },

  rendered(findings) {
    for (const chart of document.querySelectorAll(".plotly-graph-div")) {
      const r = chart.getBoundingClientRect();
      if (!chart.querySelector(".main-svg") || r.height < 10) {
        findings.push({check: "chart-not-rendered", element: this.describe(chart), detail: "no plotly SVG drawn"});
      }
    }
    for (const table of document.querySelectorAll("table")) {
      if (/Loading ITables/.test(table.textContent)) {
        findings.push({check: "table-not-rendered", element: this.describe(table), detail: "itables never started"});
      }
    }
  },

  controls(findings) {
    // A drop-down showing nothing (e.g. a page length that is not among its options).
    for (const select of document.querySelectorAll("select")) {
      const option = select.options[select.selectedIndex];
      if (this.visible(select) && (!option || !option.textContent.trim())) {
        findings.push({check: "blank-control", element: this.describe(select), detail: "the drop-down shows no value"});
      }
    }
  },

  frozenKey(findings) {
    // A table that scrolls sideways keeps its key (first) column in view.
    for (const box of document.querySelectorAll(this.SCROLL_BOXES)) {
      const ox = getComputedStyle(box).overflowX;
      if ((ox !== "auto" && ox !== "scroll") || box.scrollWidth <= box.clientWidth + 1 || !this.visible(box)) continue;
      const cell = box.querySelector("tbody tr > :first-child");
      if (cell && getComputedStyle(cell).position !== "sticky") {
        findings.push({check: "scroll-without-frozen-key", element: this.describe(box),
                       detail: `scrolls ${box.scrollWidth}px in ${box.clientWidth}px without a frozen first column`});
      }
    }
  },

  cells(findings) {
    // Text that runs out of its table cell into the next one (a header that cannot wrap, say).
    const seen = new Set();
    for (const cell of document.querySelectorAll("th, td")) {
      if (cell.closest("svg") || !this.visible(cell)) continue;
      const style = getComputedStyle(cell);
      if (style.overflowX !== "visible" || cell.scrollWidth <= cell.clientWidth + 1) continue;
      const table = cell.closest("table");
      if (seen.has(table)) continue;
      seen.add(table);
      findings.push({check: "cell-overflow", element: this.describe(cell),
                     detail: `text ${cell.scrollWidth}px wide in a ${cell.clientWidth}px cell`});
    }
  },

  run() {
    const findings = [];
    this.controls(findings);
    this.frozenKey(findings);
    this.overflow(findings);
    this.cells(findings);
    this.chartText(findings);
    this.barText(findings);
    this.missingValues(findings);
    this.rendered(findings);
    return {findings, height: document.documentElement.scrollHeight,
            charts: document.querySelectorAll(".plotly-graph-div").length};
  },
})
