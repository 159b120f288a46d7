// Shelves: the pass → stop → reach funnel per shelf, brand or category for a date range, the
// stoppers by hour, and a planogram view (each camera's snapshot with its shelves coloured by
// how many stopped). Reads GET …/analytics/shelves; the range lives in the URL.
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { showEmpty, timeBars } from "../charts.js";
import { dateIn, el, formatDuration, formatNumber } from "../format.js";
import { rangeOrSay, showRange } from "../filters.js";

const form = document.getElementById("range-form");
const msg = document.getElementById("range-msg");
const PASS = "#1f5fbf";
const STOP = "#7b3fb5";
const SVG = "http://www.w3.org/2000/svg";
let ctx = null; // {site, sitePath}

start(async () => {
  const { site, sitePath } = await boot();
  ctx = { site, sitePath };
  for (const cam of site.cameras.filter((c) => (c.shelves || []).length)) {
    form.camera.append(el("option", { value: cam.id, text: cam.name || cam.id }));
  }
  const q = new URLSearchParams(location.search);
  let end = dateIn(site.timezone);
  if (!q.get("to")) {
    const extent = await api.get(`${sitePath}/analytics/extent`);
    const last = extent.last ? dateIn(site.timezone, new Date(extent.last)) : null;
    if (last && last < end) end = last;
  }
  form.from.value = q.get("from") || end;
  form.to.value = q.get("to") || end;
  for (const name of ["camera", "by"]) {
    const v = q.get(name);
    if (v !== null && [...form[name].options].some((o) => o.value === v)) form[name].value = v;
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refresh();
  });
  await refresh();
});


async function refresh() {
  const q = rangeOrSay(form, msg);
  if (!q) return;
  showRange(form, ctx.site);
  const results = await Promise.allSettled([funnel(q), overTheDay(q), planograms(q)]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) say(msg, failed.reason.message || String(failed.reason));
}

const pct = (r) => (r === null || r === undefined ? "—" : `${Math.round(r * 100)} %`);
const num = (v) => (v === null || v === undefined ? "—" : formatNumber(v));

async function funnel(q) {
  const box = document.getElementById("funnel");
  const by = form.by.value;
  const data = await api.get(`${ctx.sitePath}/analytics/shelves`, { ...q, by, bucket: "range" });
  if (!data.rows.length) {
    box.replaceChildren(el("p", { class: "empty", text: "No shelves are configured for this selection." }));
    return;
  }
  const head = [by, "Passed", "Stopped", "Reached", "Touches", "Attention p50", "p90", "Pass → stop", "Stop → reach"];
  const top = Math.max(1, ...data.rows.map((r) => r.passers || 0));
  const bar = (v, color) =>
    el("span", { class: "funnel-bar", style: `width:${Math.round((100 * (v || 0)) / top)}%;background:${color}` });
  const rows = data.rows.map((r) =>
    r.no_data
      ? el("tr", { "data-group": r.group }, el("th", { scope: "row", text: r.group }), el("td", { colspan: "8", class: "muted", text: "no data" }))
      : el(
          "tr",
          { "data-group": r.group },
          el("th", { scope: "row", text: r.group }),
          el("td", {}, bar(r.passers, PASS), el("span", { text: num(r.passers) })),
          el("td", {}, bar(r.stoppers, STOP), el("span", { text: num(r.stoppers) })),
          el("td", {}, bar(r.reachers, "#1d7a45"), el("span", { text: num(r.reachers) })),
          el("td", { text: num(r.touches) }),
          el("td", { text: formatDuration(r.attention_p50_s) }),
          el("td", { text: formatDuration(r.attention_p90_s) }),
          el("td", { text: pct(r.pass_to_stop) }),
          el("td", { text: pct(r.stop_to_reach) }),
        ),
  );
  box.replaceChildren(
    el(
      "table",
      { class: "data funnel" },
      el("caption", { text: `Shelf funnel by ${by}, ${form.from.value} to ${form.to.value}` }),
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows),
    ),
  );
}

async function overTheDay(q) {
  const box = document.getElementById("day-chart");
  const data = await api.get(`${ctx.sitePath}/analytics/shelves`, { ...q, by: "shelf", bucket: "hour" });
  const hours = new Map(); // start -> {passers, stoppers}
  for (const r of data.rows) {
    const h = hours.get(r.start) || { passers: 0, stoppers: 0, seen: false };
    if (!r.no_data) {
      h.passers += r.passers || 0;
      h.stoppers += r.stoppers || 0;
      h.seen = true;
    }
    hours.set(r.start, h);
  }
  const starts = [...hours.keys()].sort();
  const total = [...hours.values()].reduce((a, h) => a + h.stoppers, 0);
  if (!starts.some((s) => hours.get(s).seen)) return showEmpty(box, "No shelf footage was analysed in this range.");
  timeBars(box, {
    x: starts.map((s) => Date.parse(s) / 1000),
    step: 3600,
    tz: ctx.site.timezone,
    series: [
      { label: "passed", values: starts.map((s) => (hours.get(s).seen ? hours.get(s).passers : null)), color: PASS },
      { label: "stopped", values: starts.map((s) => (hours.get(s).seen ? hours.get(s).stoppers : null)), color: STOP },
    ],
    summary: `People who passed and stopped at the shelves by hour: ${total} stopped in total.`,
  });
}

async function planograms(q) {
  const box = document.getElementById("planograms");
  const cams = ctx.site.cameras.filter((c) => (c.shelves || []).length && (!q.camera || c.id === q.camera));
  if (!cams.length) {
    box.replaceChildren(el("p", { class: "empty", text: "No camera has shelves: draw them in a camera's editor." }));
    return;
  }
  const views = await Promise.all(
    cams.map(async (cam) => {
      const data = await api.get(`${ctx.sitePath}/analytics/shelves`, { ...q, camera: cam.id, by: "shelf", bucket: "range" });
      return planogram(cam, new Map(data.rows.map((r) => [r.group, r])));
    }),
  );
  box.replaceChildren(...views);
}

function planogram(cam, rows) {
  const camPath = `${ctx.sitePath}/cameras/${encodeURIComponent(cam.id)}`;
  const top = Math.max(1, ...[...rows.values()].map((r) => r.stoppers || 0));
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 1000 1000");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "overlay");
  const legend = el("ul", { class: "plan-legend" });
  for (const shelf of cam.shelves) {
    const r = rows.get(shelf.id);
    const none = !r || r.no_data;
    const share = none ? 0 : (r.stoppers || 0) / top;
    const poly = document.createElementNS(SVG, "polygon");
    poly.setAttribute("points", shelf.polygon.map(([x, y]) => `${x * 1000},${y * 1000}`).join(" "));
    poly.setAttribute("class", none ? "shelf no-data" : "shelf");
    poly.setAttribute("data-shelf", shelf.id);
    poly.setAttribute("vector-effect", "non-scaling-stroke");
    if (!none) poly.setAttribute("style", `fill:rgba(123,63,181,${(0.15 + 0.7 * share).toFixed(2)})`);
    const title = document.createElementNS(SVG, "title");
    const what = none ? "no data" : `${r.stoppers} stopped of ${r.passers} passed, attention p50 ${formatDuration(r.attention_p50_s)}`;
    title.textContent = `${shelf.name || shelf.id}: ${what}`;
    poly.append(title);
    svg.append(poly);
    legend.append(el("li", { "data-shelf": shelf.id, text: `${shelf.name || shelf.id} (${[shelf.brand, shelf.product].filter(Boolean).join(", ") || "no planogram"}): ${what}` }));
  }
  const img = el("img", { src: `${camPath}/snapshot.jpg`, alt: `Snapshot of ${cam.name || cam.id} with its shelves` });
  img.onerror = () => img.replaceWith(el("div", { class: "no-snapshot", text: "no snapshot" }));
  return el("figure", { class: "planogram", "data-camera": cam.id }, el("div", { class: "stage" }, img, svg), el("figcaption", { text: cam.name || cam.id }), legend);
}
