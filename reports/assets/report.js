// Faultline report script: draws the charts of a report (or a comparison)
// from the JSON data section with uPlot, then records in <body> what it did:
// data-status ("ok" or "error"), data-charts (charts created),
// data-painted (charts whose canvas has painted pixels), data-draw-ms
// (time to parse the data and draw), data-diagrams and data-arrows (SVG
// message-sequence diagrams and their arrows drawn) and data-errors
// (JavaScript errors seen). The browser test reads these attributes.
(function () {
  "use strict";
  var errors = [];
  var charts = [];
  function recordError(msg) {
    errors.push(String(msg));
    var box = document.getElementById("js-errors");
    if (box) {
      box.style.display = "block";
      box.textContent = "JavaScript errors: " + errors.join(" | ");
    }
    document.body.setAttribute("data-errors", String(errors.length));
    document.body.setAttribute("data-status", "error");
  }
  window.addEventListener("error", function (e) { recordError(e.message || e); });
  window.addEventListener("unhandledrejection", function (e) { recordError(e.reason || e); });

  var OUTCOME = { ok: "#2a9d3a", fail: "#d62728", info: "#f08c00" };
  var PALETTE = ["#1f77b4", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#2ca02c", "#ff7f0e", "#d62728"];
  var FAULT = { partition: "#d62728", kill: "#7b2cbf", pause: "#f08c00", restart: "#1f77b4", clock: "#8c564b",
    "power-loss": "#3c096c", "disk-full": "#6c757d", "io-error": "#e377c2", "slow-disk": "#17becf", corrupt: "#a0522d" };
  function faultColor(kind) {
    if (FAULT[kind]) return FAULT[kind];
    var h = 0;
    for (var i = 0; i < kind.length; i++) h = (h * 31 + kind.charCodeAt(i)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }
  function width(el) { return Math.max(320, (el.clientWidth || 1000) - 10); }
  function fmtUS(v) {
    if (v == null) return "";
    if (v >= 1e6) return +(v / 1e6).toPrecision(3) + " s";
    if (v >= 1e3) return +(v / 1e3).toPrecision(3) + " ms";
    return +v.toPrecision(3) + " µs";
  }
  function usAxis() {
    return { label: "latency", size: 70, values: function (u, vals) { return vals.map(fmtUS); } };
  }

  // shade draws every fault window behind the series, labelled with its
  // kind, and outlines each intended window with a dashed line.
  function shade(windows, intended) {
    return {
      hooks: {
        drawClear: [function (u) {
          if ((!windows || !windows.length) && (!intended || !intended.length)) return;
          var ctx = u.ctx, b = u.bbox, px = window.devicePixelRatio || 1;
          ctx.save();
          ctx.beginPath();
          ctx.rect(b.left, b.top, b.width, b.height);
          ctx.clip();
          ctx.font = Math.round(11 * px) + "px sans-serif";
          var lane = 0;
          (windows || []).forEach(function (w) {
            var x0 = u.valToPos(w.start, "x", true), x1 = u.valToPos(w.stop, "x", true);
            var c = faultColor(w.kind);
            ctx.fillStyle = alpha(c, 0.13);
            ctx.fillRect(x0, b.top, Math.max(x1 - x0, px), b.height);
            ctx.fillStyle = c;
            ctx.fillText(w.kind + (w.nodes ? " " + w.nodes.join(",") : ""), x0 + 3 * px, b.top + (12 + 12 * (lane % 3)) * px);
            lane++;
          });
          ctx.setLineDash([4 * px, 3 * px]);
          ctx.lineWidth = px;
          (intended || []).forEach(function (w) {
            var x0 = u.valToPos(w.start, "x", true), x1 = u.valToPos(w.stop, "x", true);
            ctx.strokeStyle = faultColor(w.kind);
            ctx.strokeRect(x0, b.top + px, Math.max(x1 - x0, px), b.height - 2 * px);
          });
          ctx.restore();
        }]
      }
    };
  }

  function make(id, opts, data) {
    var el = document.getElementById(id);
    if (!el) return null;
    opts.width = width(el);
    opts.height = opts.height || 300;
    var u = new uPlot(opts, data, el);
    charts.push(u);
    return u;
  }

  function logSafe(v) { return v > 0 ? v : null; }

  function throughput(id, d) {
    var t = d.throughput;
    if (!t.t || !t.t.length) return;
    var series = [{ label: "second" }], data = [t.t];
    t.series.forEach(function (s, i) {
      var kindIdx = d.kinds.indexOf(s.kind);
      var base = PALETTE[(kindIdx < 0 ? i : kindIdx) % PALETTE.length];
      var color = s.outcome === "ok" ? base : OUTCOME[s.outcome];
      series.push({ label: s.kind + " " + s.outcome, stroke: color, width: s.outcome === "ok" ? 1.6 : 1.2,
        dash: s.outcome === "ok" ? undefined : (s.outcome === "fail" ? [6, 3] : [2, 3]) });
      data.push(s.values);
    });
    make(id, { title: "Ops completed per second, by type and outcome", series: series,
      scales: { x: { time: false } },
      axes: [{ label: "seconds since start" }, { label: "ops/s", size: 60 }],
      plugins: [shade(d.windows, d.intended)] }, data);
  }

  function scatter(id, d) {
    var s = d.scatter;
    if (!s || !s.t.length) return;
    var cols = [[], [], []];
    for (var i = 0; i < s.t.length; i++) {
      for (var o = 0; o < 3; o++) cols[o].push(s.o[i] === o ? s.lat[i] : null);
    }
    var pts = function (c, size) {
      return { show: true, size: size, fill: c, stroke: c, width: 0, space: 0 };
    };
    make(id, { title: "Latency of every op (log scale), by outcome, at its invocation", height: 340,
      mode: 1,
      series: [{ label: "t (s)" },
        { label: "ok", stroke: OUTCOME.ok, paths: function () { return null; }, points: pts(OUTCOME.ok, 2.5) },
        { label: "fail", stroke: OUTCOME.fail, paths: function () { return null; }, points: pts(OUTCOME.fail, 4) },
        { label: "info", stroke: OUTCOME.info, paths: function () { return null; }, points: pts(OUTCOME.info, 4) }],
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: "seconds since start" }, usAxis()],
      cursor: { points: { show: false } },
      plugins: [shade(d.windows, d.intended)] }, [s.t, cols[0], cols[1], cols[2]]);
  }

  function latencySeries(id, d) {
    var l = d.latency;
    if (!l.t || !l.t.length) return;
    make(id, { title: "Latency per second (p50, p99, max)",
      series: [{ label: "second" },
        { label: "p50", stroke: "#1f77b4", width: 1.5 },
        { label: "p99", stroke: "#f08c00", width: 1.5 },
        { label: "max", stroke: "#d62728", width: 1, dash: [4, 3] }],
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: "seconds since start" }, usAxis()],
      plugins: [shade(d.windows, d.intended)] },
    [l.t, l.p50.map(logSafe), l.p99.map(logSafe), l.max.map(logSafe)]);
  }

  // percentilePlot draws curves of [percentile, µs] on the usual HDR axis:
  // x = -log10(1 - p/100), so 90, 99, 99.9 and 99.99 are equally spaced.
  function percentilePlot(id, curves, title) {
    if (!curves || !curves.length) return;
    var xs = {};
    curves.forEach(function (c) {
      c.points.forEach(function (p) { if (p[0] <= 99.99) xs[p[0]] = true; });
    });
    var ps = Object.keys(xs).map(Number).sort(function (a, b) { return a - b; });
    var x = ps.map(function (p) { return -Math.log10(1 - p / 100); });
    var data = [x], series = [{ label: "percentile", value: function (u, v) { return v == null ? "" : (100 * (1 - Math.pow(10, -v))).toPrecision(6) + "%"; } }];
    curves.forEach(function (c, i) {
      var m = {};
      c.points.forEach(function (p) { m[p[0]] = p[1]; });
      data.push(ps.map(function (p) { return m[p] > 0 ? m[p] : null; }));
      series.push({ label: c.label || c.kind, stroke: c.kind === "all" && !c.label ? "#222" : PALETTE[i % PALETTE.length], width: 1.6, spanGaps: true });
    });
    var names = ["0%", "90%", "99%", "99.9%", "99.99%"];
    make(id, { title: title, series: series,
      scales: { x: { time: false, range: [0, 4] }, y: { distr: 3 } },
      axes: [{ label: "percentile", splits: function () { return [0, 1, 2, 3, 4]; },
        values: function (u, vals) { return vals.map(function (v) { return names[Math.round(v)] || ""; }); } }, usAxis()] },
    data);
  }

  // timeline draws items {row, start, stop, color, label, point} as bars on
  // one row each (a Gantt chart), with uPlot's axes, zoom and cursor.
  function timeline(id, title, rows, items, windows, xmax) {
    if (!items.length) return;
    var lo = Infinity, hi = -Infinity;
    items.forEach(function (it) { lo = Math.min(lo, it.start); hi = Math.max(hi, it.stop); });
    lo = Math.min(lo, 0);
    hi = Math.max(hi, xmax || 0);
    if (hi <= lo) hi = lo + 1;
    var bars = {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, b = u.bbox, px = window.devicePixelRatio || 1;
          ctx.save();
          ctx.beginPath();
          ctx.rect(b.left, b.top, b.width, b.height);
          ctx.clip();
          var h = Math.max(4 * px, Math.min(22 * px, b.height / rows.length * 0.6));
          items.forEach(function (it) {
            var y = u.valToPos(it.row, "y", true);
            var x0 = u.valToPos(it.start, "x", true), x1 = u.valToPos(it.stop, "x", true);
            ctx.fillStyle = it.color;
            if (it.point) {
              ctx.fillRect(x0 - px, y - h / 2 - 2 * px, 2 * px, h + 4 * px);
            } else {
              ctx.fillRect(x0, y - h / 2, Math.max(x1 - x0, 2 * px), h);
              ctx.strokeStyle = "#fff";
              ctx.lineWidth = px;
              ctx.strokeRect(x0, y - h / 2, Math.max(x1 - x0, 2 * px), h);
              if (it.mark) {
                ctx.strokeStyle = "#000";
                ctx.lineWidth = 1.5 * px;
                ctx.strokeRect(x0, y - h / 2, Math.max(x1 - x0, 2 * px), h);
              }
            }
          });
          ctx.restore();
        }]
      }
    };
    var height = Math.max(180, Math.min(700, 120 + rows.length * 34));
    make(id, { title: title, height: height,
      series: [{ label: "t (s)" }, { label: "", show: true, stroke: "transparent" }],
      legend: { show: false },
      scales: { x: { time: false, range: [lo, hi] }, y: { range: [-0.6, rows.length - 0.4] } },
      axes: [{ label: "seconds since start" },
        { size: 110, splits: function () { return rows.map(function (_, i) { return i; }); },
          values: function (u, vals) { return vals.map(function (v) { return rows[v] || ""; }); } }],
      plugins: [shade(windows), bars] },
    [[lo, hi], [null, null]]);
  }

  function events(id, d) {
    var evs = d.events || [];
    var rows = [];
    evs.forEach(function (e) { if (rows.indexOf(e.kind) < 0) rows.push(e.kind); });
    var items = evs.map(function (e) {
      return { row: rows.indexOf(e.kind), start: e.start, stop: e.stop, color: faultColor(e.kind), point: e.point };
    });
    var end = d.throughput.t && d.throughput.t.length ? d.throughput.t[d.throughput.t.length - 1] + 1 : 0;
    timeline(id, "Cluster events and fault windows", rows, items, [], end);
  }

  var TASK = { completed: "#2a9d3a", ignored: "#9aa0a6", failed: "#d62728", expired: "#f08c00", "": "#7b2cbf" };
  function gantt(id, d) {
    var j = d.job;
    if (!j || !j.attempts || !j.attempts.length) return;
    var items = j.attempts.map(function (a, i) {
      var base = TASK[a.outcome || ""] || "#555";
      var c = a.task === "reduce" && a.outcome === "completed" ? "#1f77b4" : base;
      return { row: j.row[i], start: a.start_s, stop: a.end_s, color: c, mark: a.attempt > 1 };
    });
    timeline(id, "MapReduce task attempts by worker",
      j.rows, items, [], j.elapsed_s);
  }

  // sequence draws the message-sequence (Lamport) diagram as inline SVG:
  // a timeline per lane, a row per step, an arrow per message copy. Every
  // text from the journal is set with textContent, never parsed as markup.
  var SVGNS = "http://www.w3.org/2000/svg";
  var ARROW = { client: "#4a90d9", server: "#222", error: "#e0218a", dup: "#7b2cbf" };
  var diagrams = 0, arrowsDrawn = 0;
  function svgEl(parent, name, attrs, text) {
    var el = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    if (text != null) el.textContent = text;
    parent.appendChild(el);
    return el;
  }
  function sequence(id, s) {
    var box = document.getElementById(id);
    if (!box || !s || !s.arrows || !s.arrows.length) return;
    var left = 64, top = 26, step = 18;
    var W = Math.max(560, (box.clientWidth || 1000) - 14);
    var laneW = (W - left) / s.lanes.length;
    var H = top + (s.steps + 1) * step;
    function x(l) { return left + (l + 0.5) * laneW; }
    function y(st) { return top + (st + 0.5) * step; }
    var svg = svgEl(box, "svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H });
    var defs = svgEl(svg, "defs", {});
    Object.keys(ARROW).forEach(function (c) {
      var m = svgEl(defs, "marker", { id: "seq-head-" + c, viewBox: "0 0 10 10", refX: 10, refY: 5,
        markerWidth: 8, markerHeight: 8, orient: "auto" });
      svgEl(m, "path", { d: "M0,0 L10,5 L0,10 z", fill: ARROW[c] });
    });
    (s.windows || []).forEach(function (w) {
      var c = faultColor(w.kind);
      var r = svgEl(svg, "rect", { x: left, y: top + w.from * step, width: W - left,
        height: (w.to - w.from + 1) * step, fill: alpha(c, 0.12) });
      svgEl(r, "title", {}, w.label);
      svgEl(svg, "text", { x: W - 4, y: top + w.from * step + 11, "text-anchor": "end", fill: c }, w.label);
    });
    s.lanes.forEach(function (name, i) {
      svgEl(svg, "line", { x1: x(i), y1: top - 6, x2: x(i), y2: H, stroke: "#c8ccd2" });
      for (var st = 0; st < s.steps; st += 50) {
        svgEl(svg, "text", { x: x(i), y: st ? y(st) - 2 : top - 10, "text-anchor": "middle",
          fill: st ? "#9aa0a6" : "#111", "font-weight": st ? "normal" : "bold" }, name);
      }
    });
    s.ticks.forEach(function (t) {
      svgEl(svg, "text", { x: left - 6, y: y(t.step) + 3, "text-anchor": "end", fill: "#6b7280" }, t.t.toFixed(3) + " s");
      svgEl(svg, "line", { x1: left - 4, y1: y(t.step), x2: left, y2: y(t.step), stroke: "#6b7280" });
    });
    s.arrows.forEach(function (a) {
      var c = a.dup ? "dup" : (ARROW[a.class] ? a.class : "server");
      var g = svgEl(svg, "g", { "class": "msg" });
      svgEl(g, "title", {}, a.title);
      var x0 = x(a.from), y0 = y(a.send), x1, y1, self = a.from === a.to;
      if (a.recv >= 0) {
        x1 = x(a.to); y1 = y(a.recv);
      } else {
        x1 = self ? x0 + 30 : x0 + 0.6 * (x(a.to) - x0); y1 = y0 + step;
      }
      var attrs = { stroke: ARROW[c], "stroke-width": 1.4, fill: "none" };
      if (a.recv >= 0 || a.drop === "in flight") attrs["marker-end"] = "url(#seq-head-" + c + ")";
      if (a.recv < 0 && a.drop === "in flight") attrs["stroke-dasharray"] = "4 3";
      if (self && a.recv >= 0) {
        attrs.d = "M" + x0 + "," + y0 + " C" + (x0 + 40) + "," + y0 + " " + (x0 + 40) + "," + y1 + " " + x1 + "," + y1;
        svgEl(g, "path", attrs);
      } else {
        attrs.x1 = x0; attrs.y1 = y0; attrs.x2 = x1; attrs.y2 = y1;
        svgEl(g, "line", attrs);
      }
      if (a.drop && a.drop !== "in flight") {
        svgEl(g, "path", { d: "M" + (x1 - 5) + "," + (y1 - 5) + " L" + (x1 + 5) + "," + (y1 + 5) +
          " M" + (x1 - 5) + "," + (y1 + 5) + " L" + (x1 + 5) + "," + (y1 - 5), stroke: "#d62728", "stroke-width": 2.2 });
      }
      var mx = (x0 + x1) / 2 + (self ? 20 : 0), my = (y0 + y1) / 2;
      var deg = Math.atan2(y1 - y0, x1 - x0) * 180 / Math.PI;
      if (self) deg = 0;
      if (deg > 90) deg -= 180; else if (deg < -90) deg += 180;
      svgEl(g, "text", { x: mx, y: my - 3, "text-anchor": "middle", fill: ARROW[c], stroke: "#fff", "stroke-width": 3,
        "paint-order": "stroke", transform: "rotate(" + deg.toFixed(2) + " " + mx + " " + my + ")" },
      a.label + (a.drop ? " (" + a.drop + ")" : ""));
      arrowsDrawn++;
    });
    diagrams++;
  }

  function report(d) {
    throughput("chart-throughput", d);
    scatter("chart-scatter", d);
    latencySeries("chart-latency", d);
    percentilePlot("chart-percentiles", d.percentiles, "Latency distribution by op type (HDR histogram)");
    events("chart-events", d);
    gantt("chart-gantt", d);
    sequence("chart-sequence", d.sequence);
  }

  // compare overlays the runs of a comparison page.
  function compare(c, sfx) {
    sfx = sfx || "";
    var runs = c.runs;
    var tmax = 0;
    runs.forEach(function (r) { if (r.t.length) tmax = Math.max(tmax, r.t[r.t.length - 1]); });
    var t = [];
    for (var i = 0; i <= tmax; i++) t.push(i);
    function overlay(id, title, pick, logY, yAxis) {
      var data = [t], series = [{ label: "second" }];
      runs.forEach(function (r, k) {
        var m = {};
        r.t.forEach(function (s, i) { m[s] = pick(r)[i]; });
        data.push(t.map(function (s) { var v = m[s]; return v == null || (logY && v <= 0) ? null : v; }));
        series.push({ label: r.label, stroke: PALETTE[k % PALETTE.length], width: 1.5 });
      });
      make(id, { title: title, series: series, scales: { x: { time: false }, y: logY ? { distr: 3 } : {} },
        axes: [{ label: "seconds since start" }, yAxis] }, data);
    }
    if (tmax > 0 || runs.some(function (r) { return r.t.length; })) {
      overlay("chart-cmp-throughput" + sfx, "Ops completed per second (all types, ok)", function (r) { return r.ok; }, false, { label: "ops/s", size: 60 });
      overlay("chart-cmp-p99" + sfx, "p99 latency per second", function (r) { return r.p99; }, true, usAxis());
    }
    percentilePlot("chart-cmp-percentiles" + sfx, runs.filter(function (r) { return r.curve; }).map(function (r) {
      return { kind: "run", label: r.label, points: r.curve };
    }), "Latency distribution, all op types (HDR histogram)");
  }

  // painted counts charts whose canvas has at least one non-blank pixel.
  function painted() {
    var n = 0;
    charts.forEach(function (u) {
      var cv = u.ctx.canvas, w = cv.width, h = cv.height;
      if (!w || !h) return;
      var px = u.ctx.getImageData(0, 0, w, h).data;
      for (var i = 3; i < px.length; i += 16) {
        if (px[i] !== 0) { n++; return; }
      }
    });
    return n;
  }

  function main() {
    document.body.setAttribute("data-status", "drawing");
    var t0 = performance.now();
    var el = document.getElementById("report-data");
    var d = JSON.parse(el.textContent);
    if (d.cases) d.cases.forEach(function (c, i) { compare(c, "-" + i); });
    else if (d.runs) compare(d); else report(d);
    document.body.setAttribute("data-charts", String(charts.length));
    document.body.setAttribute("data-diagrams", String(diagrams));
    document.body.setAttribute("data-arrows", String(arrowsDrawn));
    // uPlot commits its first draw in a microtask; count pixels after it.
    setTimeout(function () {
      document.body.setAttribute("data-draw-ms", String(Math.round(performance.now() - t0)));
      document.body.setAttribute("data-painted", String(painted()));
      document.body.setAttribute("data-errors", String(errors.length));
      if (!errors.length) document.body.setAttribute("data-status", "ok");
    }, 0);
    var resize;
    window.addEventListener("resize", function () {
      clearTimeout(resize);
      resize = setTimeout(function () {
        charts.forEach(function (u) {
          u.setSize({ width: width(u.root.parentNode), height: u.height });
        });
      }, 150);
    });
  }
  try { main(); } catch (e) { recordError(e && e.stack ? e.stack : e); }
})();
