// Analytics: footfall, day × hour matrix, dwell distribution (p50/p90), occupancy, queues,
// transitions and the walking heatmap for a date range in the site's time zone. The range and
// filters live in the URL, so a view can be bookmarked, shared and printed.
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { heatmapTable, histogram, showEmpty, timeBars, timeLines } from "../charts.js";
import { addDays, dateIn, el, formatDuration, formatNumber } from "../format.js";
import { rangeOrSay, showRange } from "../filters.js";

const form = document.getElementById("range-form");
const msg = document.getElementById("range-msg");
const IN = "#1f5fbf";
const OUT = "#c2571a";
const STEP = { hour: 3600, day: 86400 };

let ctx = null; // {site, sitePath}

start(async () => {
  const { site, sitePath } = await boot();
  ctx = { site, sitePath };
  fillSelects(site);
  const q = new URLSearchParams(location.search);
  let end = dateIn(site.timezone);
  if (!q.get("to")) {
    // With nothing recent, open on the latest week that has data rather than an empty one.
    const extent = await api.get(`${sitePath}/analytics/extent`);
    const last = extent.last ? dateIn(site.timezone, new Date(extent.last)) : null;
    if (last && last < addDays(end, -6)) end = last;
  }
  form.from.value = q.get("from") || addDays(end, -6);
  form.to.value = q.get("to") || end;
  for (const name of ["camera", "bucket", "zone", "queue"]) {
    const v = q.get(name);
    if (v !== null && [...form[name].options].some((o) => o.value === v)) form[name].value = v;
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refresh();
  });
  form.camera.addEventListener("change", () => refresh());
  form.querySelectorAll("[data-days]").forEach((b) =>
    b.addEventListener("click", () => {
      const t = dateIn(site.timezone);
      form.from.value = addDays(t, -Number(b.dataset.days));
      form.to.value = t;
      form.bucket.value = b.dataset.days === "0" ? "hour" : form.bucket.value;
      refresh();
    }),
  );
  document.getElementById("print").addEventListener("click", () => window.print());
  await refresh();
});

function fillSelects(site) {
  const camSel = form.camera;
  for (const cam of site.cameras) camSel.append(el("option", { value: cam.id, text: cam.name || cam.id }));
  const zones = site.cameras.flatMap((cam) => cam.zones.map((z) => ({ cam: cam.id, ...z })));
  const option = (z) => el("option", { value: `${z.cam}/${z.id}`, text: `${z.id} (${z.cam}, ${z.kind})` });
  form.zone.replaceChildren(el("option", { value: "", text: "All zones · people in view" }), ...zones.map(option));
  const queues = zones.filter((z) => z.kind === "queue");
  form.queue.replaceChildren(...(queues.length ? queues.map(option) : [el("option", { value: "", text: "no queue zones" })]));
}


/** Query for one zone ("camera/zone"); empty means every zone (or, for queues, none chosen). */
function zoneQuery(value, base, { all = true } = {}) {
  if (!value) return all ? { ...base } : null;
  const [cam, zone] = value.split("/");
  return { ...base, camera: cam, zone };
}

async function refresh() {
  const q = rangeOrSay(form, msg);
  if (!q) return;
  const label = showRange(form, ctx.site);
  document.getElementById("print-head").textContent =
    `${ctx.site.name || ctx.site.id} — ${label} (${ctx.site.timezone})` +
    (form.camera.value ? `, camera ${form.camera.value}` : ", all cameras");
  const tasks = [
    footfall(q),
    matrix(q),
    dwell(zoneQuery(form.zone.value, q)),
    occupancy(zoneQuery(form.zone.value, q)),
    queues(zoneQuery(form.queue.value, q, { all: false })),
    transitions(q),
    heatImage(q),
  ];
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) say(msg, failed.reason.message || String(failed.reason));
}

/** Run one section; a failure shows in its own box and is passed on for the page message. */
async function section(container, work) {
  try {
    await work();
  } catch (err) {
    if (container) showEmpty(container, `Could not load: ${err.message}`);
    throw err;
  }
}

const seconds = (iso) => Date.parse(iso) / 1000;

function footfall(q) {
  const box = document.getElementById("footfall-chart");
  return section(box, async () => {
    const bucket = form.bucket.value;
    const data = await api.get(`${ctx.sitePath}/analytics/footfall`, { ...q, bucket });
    const b = data.buckets;
    const totIn = b.reduce((a, r) => a + r.in, 0);
    const totOut = b.reduce((a, r) => a + r.out, 0);
    const cards = [
      ["In", formatNumber(totIn)],
      ["Out", formatNumber(totOut)],
      [`Busiest ${bucket}`, busiest(b, bucket)],
    ];
    document.getElementById("totals").replaceChildren(
      ...cards.map(([k, v]) =>
        el("div", { class: "kpi" }, el("div", { class: "label", text: k }), el("div", { class: "value", "data-kpi": k.toLowerCase(), text: v })),
      ),
    );
    if (!b.length) return showEmpty(box, "No footfall recorded in this range.");
    timeBars(box, {
      x: b.map((r) => seconds(r.start)),
      step: STEP[bucket],
      tz: ctx.site.timezone,
      series: [
        { label: "in", values: b.map((r) => r.in), color: IN },
        { label: "out", values: b.map((r) => r.out), color: OUT },
      ],
      summary: `Footfall by ${bucket}: ${totIn} in and ${totOut} out in total.`,
    });
  });
}

function busiest(buckets, bucket) {
  if (!buckets.length) return "—";
  const top = buckets.reduce((a, r) => (r.in > a.in ? r : a), buckets[0]);
  if (!top.in) return "—";
  const when = new Intl.DateTimeFormat("en-CA", {
    timeZone: ctx.site.timezone,
    ...(bucket === "hour" ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : { month: "short", day: "numeric" }),
  }).format(new Date(top.start));
  return `${when} (${top.in})`;
}

function matrix(q) {
  const box = document.getElementById("matrix");
  return section(null, async () => {
    const data = await api.get(`${ctx.sitePath}/analytics/footfall-matrix`, q);
    if (!data.days.length) {
      box.replaceChildren(el("p", { class: "muted", text: "No footfall recorded in this range." }));
      return;
    }
    heatmapTable(box, {
      days: data.days,
      hours: data.hours,
      values: data.in,
      caption: `People counted in, by day and hour of the day (${ctx.site.timezone}).`,
    });
  });
}

function dwell(q) {
  const box = document.getElementById("dwell-chart");
  const stats = document.getElementById("dwell-stats");
  const where = q.zone ? `zone ${q.zone}` : "any zone";
  return section(box, async () => {
    const d = await api.get(`${ctx.sitePath}/analytics/dwell`, q);
    stats.replaceChildren(
      el("span", {}, "Visits ", el("strong", { text: formatNumber(d.count) })),
      el("span", {}, "Median (p50) ", el("strong", { text: formatDuration(d.p50_s) })),
      el("span", {}, "p90 ", el("strong", { text: formatDuration(d.p90_s) })),
    );
    if (!d.count) return showEmpty(box, `No visits to ${where} in this range.`);
    histogram(box, {
      bins: d.histogram.map((h) => ({ lo: h.lo_s, hi: h.hi_s, count: h.count })), // last hi: null
      markers: [
        { value: d.p50_s, label: "p50", color: "#1d7a45" },
        { value: d.p90_s, label: "p90", color: "#b3261e" },
      ],
      color: IN,
      summary: `Dwell in ${where}: ${d.count} visits, median ${formatDuration(d.p50_s)}, p90 ${formatDuration(d.p90_s)}.`,
    });
  });
}

function occupancy(q) {
  const box = document.getElementById("occupancy-chart");
  const where = q.zone ? `zone ${q.zone}` : "view (people seen by the cameras)";
  return section(box, async () => {
    const d = await api.get(`${ctx.sitePath}/analytics/occupancy`, q);
    if (!d.points.some((p) => p.avg !== null)) return showEmpty(box, `No occupancy data for the ${where} in this range.`);
    const peak = Math.max(...d.points.map((p) => p.peak ?? 0));
    timeLines(box, {
      x: d.points.map((p) => seconds(p.start)),
      tz: ctx.site.timezone,
      series: [
        { label: "average", values: d.points.map((p) => p.avg), color: IN },
        { label: "peak", values: d.points.map((p) => p.peak), color: OUT, dash: [5, 4] },
      ],
      summary: `Occupancy of the ${where}: peak ${peak} people.`,
    });
  });
}

function queues(q) {
  const box = document.getElementById("queue-chart");
  const waitBox = document.getElementById("wait-chart");
  const note = document.getElementById("queue-note");
  const charts = document.getElementById("queue-charts");
  const quiet = (text) => {
    note.textContent = text;
    charts.hidden = true;
  };
  if (!q) return Promise.resolve(quiet("No queue zones are configured (draw a zone of kind queue on a camera page)."));
  note.textContent = `Zone ${q.zone}: people waiting and how long they waited.`;
  charts.hidden = false;
  return section(box, async () => {
    const d = await api.get(`${ctx.sitePath}/analytics/queues`, q);
    if (!d.points.some((p) => p.length_avg !== null)) return quiet(`No queue data for zone ${q.zone} in this range.`);
    const x = d.points.map((p) => seconds(p.start));
    timeLines(box, {
      x,
      tz: ctx.site.timezone,
      series: [
        { label: "average length", values: d.points.map((p) => p.length_avg), color: IN },
        { label: "peak length", values: d.points.map((p) => p.length_peak), color: OUT, dash: [5, 4] },
      ],
      summary: `Queue length in zone ${q.zone}.`,
    });
    timeLines(waitBox, {
      x,
      tz: ctx.site.timezone,
      yLabel: "seconds",
      series: [{ label: "average wait (s)", values: d.points.map((p) => p.wait_avg_s), color: "#7b3fb5" }],
      summary: `Average waiting time in zone ${q.zone}.`,
    });
  });
}

function transitions(q) {
  const body = document.getElementById("transitions");
  return section(null, async () => {
    const d = await api.get(`${ctx.sitePath}/analytics/transitions`, q);
    const rows = d.transitions.map((t) =>
      el("tr", {}, el("td", { text: t.from }), el("td", { text: t.to }), el("td", { class: "num", text: formatNumber(t.count) })),
    );
    body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 3, class: "muted", text: "No zone-to-zone movement in this range." }))]));
  });
}

function heatImage(q) {
  const img = document.getElementById("heatmap-img");
  const note = document.getElementById("heat-note");
  const cam = form.camera.value || (ctx.site.cameras[0] && ctx.site.cameras[0].id);
  if (!cam) {
    note.textContent = "No cameras are configured.";
    img.hidden = true;
    return Promise.resolve();
  }
  note.textContent = `Camera ${cam}: where people's feet were over this range (warmer = more time spent).`;
  img.alt = `Heatmap of where people walked in view of camera ${cam}`;
  const url = `${ctx.sitePath}/analytics/heatmap.png${api.qs({ ...q, camera: cam })}`;
  img.onerror = async () => {
    img.hidden = true;
    // The API says why there is no picture (nobody seen, or no footage analysed).
    const r = await fetch(url, { credentials: "same-origin" });
    const body = r.ok ? null : await r.json().catch(() => null);
    note.textContent = `No heatmap: ${api.detailText(body, r.status)}.`;
  };
  img.onload = () => (img.hidden = false);
  img.src = url;
  return Promise.resolve();
}
