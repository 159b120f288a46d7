// Small wrappers over uPlot (vendored, global `uPlot`): time bars, time lines, histogram bars,
// and an HTML heatmap table (readable numbers, prints well, works with a screen reader).
// Charts are redrawn at the container's width on resize and before printing.

import { el, formatNumber } from "./format.js";

const charts = new Map(); // container element -> uPlot instance

function widthOf(container) {
  return Math.max(280, Math.floor(container.clientWidth || 600));
}

function resizeAll(width) {
  for (const [container, chart] of charts) {
    chart.setSize({ width: width || widthOf(container), height: chart.height });
  }
}

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => resizeAll(), 150);
});
// A printed A4 page is about 680 CSS px wide inside its margins.
window.addEventListener("beforeprint", () => resizeAll(680));
window.addEventListener("afterprint", () => resizeAll());

function mount(container, opts, data, summary) {
  const old = charts.get(container);
  if (old) old.destroy();
  charts.delete(container);
  container.replaceChildren();
  container.setAttribute("role", "img");
  container.setAttribute("aria-label", summary);
  // Room on the right: the last time label is centred on the axis end and would be cut off.
  const chart = new uPlot(
    { width: widthOf(container), height: 240, padding: [null, 36, null, null], ...opts },
    data,
    container,
  );
  charts.set(container, chart);
  return chart;
}

export function showEmpty(container, text) {
  const old = charts.get(container);
  if (old) old.destroy();
  charts.delete(container);
  container.removeAttribute("role");
  container.replaceChildren(el("p", { class: "empty", text }));
}

function tzDate(tz) {
  return (ts) => uPlot.tzDate(new Date(ts * 1e3), tz);
}

// 24-hour clock labels in the site's time zone: hours within a day, dates across days.
const fmtHour = uPlot.fmtDate("{HH}:{mm}");
const fmtDay = uPlot.fmtDate("{YYYY}-{MM}-{DD}");
const fmtFull = uPlot.fmtDate("{YYYY}-{MM}-{DD} {HH}:{mm}");

function timeAxis(tz) {
  const toDate = tzDate(tz);
  return {
    values: (u, splits, axisIdx, space, incr) =>
      splits.map((v) => {
        const d = toDate(v);
        if (incr >= 86400) return fmtDay(d);
        return d.getHours() === 0 && d.getMinutes() === 0 ? `${fmtHour(d)}\n${fmtDay(d)}` : fmtHour(d);
      }),
  };
}

function timeLegend(tz, shift = 0) {
  const toDate = tzDate(tz);
  return { label: "time", value: (u, v) => (v == null ? "" : fmtFull(toDate(v - shift))) };
}

/** A legend value: the hovered bucket's, else the range's total (never uPlot's "--"). */
function totalWhenIdle(values) {
  const total = values.reduce((a, v) => a + (v || 0), 0);
  return (u, v) => (v == null ? `${formatNumber(total)} in total` : formatNumber(v));
}

/** A line's legend value: the hovered point's, else the range's highest. */
function maxWhenIdle(values) {
  const known = values.filter((v) => v !== null && v !== undefined);
  const top = known.length ? formatNumber(Math.max(...known), 1) : "no data";
  return (u, v) => (v == null ? `highest ${top}` : formatNumber(v, 1));
}

/**
 * Bars over time. x: POSIX seconds of bucket starts, step: bucket length in seconds;
 * series: [{label, values, color}] (one or two; two are drawn side by side in each bucket).
 */
export function timeBars(container, { x, step, series, tz, summary }) {
  const two = series.length === 2;
  const centres = x.map((t) => t + step / 2);
  const opts = {
    tzDate: tzDate(tz),
    cursor: { points: { show: false } },
    scales: {
      x: { time: true, range: () => [x[0], x[x.length - 1] + step] },
      y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [timeAxis(tz), { label: "people", size: 60 }],
    series: [
      timeLegend(tz, step / 2),
      ...series.map((s, i) => ({
        label: s.label,
        value: totalWhenIdle(s.values),
        stroke: s.color,
        fill: `${s.color}cc`,
        width: 0,
        points: { show: false },
        // align -1 ends the bar at the bucket's centre, 1 starts it there.
        paths: uPlot.paths.bars({ size: [two ? 0.4 : 0.8, 60], align: two ? (i === 0 ? -1 : 1) : 0 }),
      })),
    ],
  };
  return mount(container, opts, [centres, ...series.map((s) => s.values)], summary);
}

/** Lines over time. series: [{label, values, color, dash}]. */
export function timeLines(container, { x, series, tz, summary, yLabel = "people" }) {
  // Buckets with no data are null and break the line, so sparse data needs its points drawn.
  const known = series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
  const opts = {
    tzDate: tzDate(tz),
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [timeAxis(tz), { label: yLabel, size: 60 }],
    series: [
      timeLegend(tz),
      ...series.map((s) => ({
        label: s.label,
        value: maxWhenIdle(s.values),
        stroke: s.color,
        width: 2,
        dash: s.dash,
        points: { show: known < 120 },
      })),
    ],
  };
  return mount(container, opts, [x, ...series.map((s) => s.values)], summary);
}

/** 0s, 45s, 2m, 1.5h: a compact duration for axis ticks. */
function short(s) {
  if (s === null || s === undefined) return "";
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${+(s / 60).toFixed(1)}m`;
  return `${+(s / 3600).toFixed(1)}h`;
}

/**
 * Histogram over labelled bins (widths may differ: bins sit at their index), with vertical
 * markers such as p50/p90. bins: [{lo, hi, count}]; markers: [{value, label, color}].
 */
export function histogram(container, { bins, markers = [], unit = "s", summary, color }) {
  // The last bin may be open-ended (hi null): "1800+ s".
  const x = bins.map((b, i) => i);
  const binLabel = (i) => {
    const b = bins[i];
    if (!b) return "";
    return b.hi === null || b.hi === undefined ? `${b.lo}+ ${unit}` : `${b.lo}–${b.hi} ${unit}`;
  };
  const toIndex = (v) => {
    const i = bins.findIndex((b) => b.hi === null || b.hi === undefined || v < b.hi);
    if (i < 0) return bins.length - 0.5;
    const b = bins[i];
    if (b.hi === null || b.hi === undefined) return i;
    return i - 0.5 + Math.max(0, Math.min(1, (v - b.lo) / (b.hi - b.lo || 1)));
  };
  const drawMarkers = (u) => {
    const { ctx } = u;
    const r = devicePixelRatio;
    const shown = markers.filter((m) => m.value !== null && m.value !== undefined);
    let row = 0;
    ctx.save();
    for (const m of shown) {
      const px = u.valToPos(toIndex(m.value), "x", true);
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = 2 * r;
      ctx.setLineDash([6 * r, 4 * r]);
      ctx.beginPath();
      ctx.moveTo(px, u.bbox.top);
      ctx.lineTo(px, u.bbox.top + u.bbox.height);
      ctx.stroke();
      // Labels sit in the band reserved above the plot (one row per marker), not on the bars.
      ctx.font = `${12 * r}px sans-serif`;
      ctx.fillText(m.label, px + 4 * r, u.bbox.top - (4 + 14 * (shown.length - 1 - row)) * r);
      row += 1;
    }
    ctx.restore();
  };
  const opts = {
    padding: [8 + 14 * markers.length, 36, null, null],
    scales: {
      x: { time: false, range: () => [-0.5, bins.length - 0.5] },
      y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [
      {
        // Ticks at the bins' left edges, labelled with their lower bound (0s, 5s, … 30m).
        label: "dwell (each bar from its tick to the next)",
        splits: () => bins.map((b, i) => i - 0.5),
        values: (u, splits) => splits.map((v) => short(bins[Math.round(v + 0.5)]?.lo)),
      },
      { label: "visits", size: 60 },
    ],
    series: [
      { label: "bin", value: (u, v) => (v == null ? "" : binLabel(v)) },
      {
        label: "visits",
        value: totalWhenIdle(bins.map((b) => b.count)),
        stroke: color,
        fill: `${color}cc`,
        width: 0,
        points: { show: false },
        paths: uPlot.paths.bars({ size: [0.9, Infinity] }),
      },
    ],
    hooks: { draw: [drawMarkers] },
  };
  return mount(container, opts, [x, bins.map((b) => b.count)], summary);
}

/**
 * Day × hour table coloured by value. days: ["YYYY-MM-DD"], hours: [0..23], values: [[...24]].
 */
export function heatmapTable(container, { days, hours, values, caption }) {
  const max = Math.max(1, ...values.flat().map((v) => v || 0));
  const head = el(
    "tr",
    {},
    el("th", { scope: "col", text: "Day" }),
    hours.map((h) => el("th", { scope: "col", text: String(h).padStart(2, "0") })),
    el("th", { scope: "col", class: "num", text: "Total" }),
  );
  const rows = days.map((day, i) => {
    const row = values[i] || [];
    const total = row.reduce((a, b) => a + (b || 0), 0);
    return el(
      "tr",
      {},
      el("th", { scope: "row", text: day }),
      hours.map((h, j) => {
        const v = row[j] || 0;
        const t = v / max;
        // Light to dark blue; dark cells get white text so the numbers stay readable.
        const bg = `rgba(31, 95, 191, ${v ? 0.08 + 0.87 * t : 0})`;
        return el("td", {
          style: `background:${bg};color:${t > 0.55 ? "#fff" : "inherit"}`,
          title: `${day} ${String(h).padStart(2, "0")}:00 — ${v} in`,
          text: v ? String(v) : "",
        });
      }),
      el("td", { class: "num", text: String(total) }),
    );
  });
  container.replaceChildren(
    el(
      "div",
      { class: "table-wrap" },
      el("table", { class: "heatmap" }, el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, rows)),
    ),
  );
}
