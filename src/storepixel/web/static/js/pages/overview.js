// Overview: today's KPIs (site time zone) and every camera with its health and a snapshot.
import * as api from "../api.js";
import { boot, start } from "../session.js";
import { dateIn, el, formatDuration, formatNumber, formatTime, stateClass } from "../format.js";

start(async () => {
  const { site, sitePath } = await boot();
  const today = dateIn(site.timezone);
  document.getElementById("kpi-date").textContent = `${today}, ${site.timezone}`;
  await Promise.all([showKpis(sitePath, today), showCameras(site, sitePath), showSummary(sitePath, today)]);
  // Live cameras keep counting: refresh the numbers (not the whole page) every 30 s.
  setInterval(() => showKpis(sitePath, dateIn(site.timezone)).catch(() => {}), 30000);
});

async function showKpis(sitePath, date) {
  const k = await api.get(`${sitePath}/analytics/kpis`, { date });
  const cards = [
    ["In", formatNumber(k.in)],
    ["Out", formatNumber(k.out)],
    ["Visits", formatNumber(k.visits)],
    ["Customers", customers(k.people)],
    ["Staff", formatNumber(k.people?.staff)],
    ["Median dwell", formatDuration(k.dwell_p50_s)],
    ["Peak occupancy", formatNumber(k.occupancy_peak)],
    ["Video covered", formatDuration(k.coverage_s)],
  ];
  document.getElementById("kpis").replaceChildren(
    ...cards.map(([label, value]) =>
      el("div", { class: "kpi" }, el("div", { class: "label", text: label }), el("div", { class: "value", text: value })),
    ),
  );
  document.getElementById("kpi-note").textContent = k.coverage_s
    ? ""
    : "No video has been analysed for today yet: the counts above are not zeros, they are no data.";
}

// The newest stored day narrative (today's, else yesterday's): `storepixel summary --date D`.
async function showSummary(sitePath, today) {
  const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86400000).toISOString().slice(0, 10);
  const note = document.getElementById("summary-note");
  try {
    for (const date of [today, yesterday]) {
      const s = await api.get(`${sitePath}/summary`, { date });
      if (s.day) {
        document.getElementById("summary-day").textContent = s.day;
        note.textContent = "";
        return;
      }
    }
    note.textContent = "No summary written yet: run storepixel summary --date YYYY-MM-DD.";
  } catch (err) {
    note.textContent = `Summary unavailable: ${err.message}`;
  }
}

// Customers as parties: "12 in 9 parties" (a group of people who came together is one party).
function customers(p) {
  if (!p) return "—";
  return p.groups ? `${formatNumber(p.customers)} in ${formatNumber(p.parties)} parties` : formatNumber(p.customers);
}

async function showCameras(site, sitePath) {
  const grid = document.getElementById("cameras");
  if (!site.cameras.length) {
    grid.replaceChildren(el("p", { class: "muted", text: "No cameras are configured for this site." }));
    return;
  }
  grid.replaceChildren(...site.cameras.map((cam) => cameraCard(site, sitePath, cam)));
}

function cameraCard(site, sitePath, cam) {
  const camPath = `${sitePath}/cameras/${encodeURIComponent(cam.id)}`;
  const badge = el("span", { class: "badge idle", text: "…" });
  const facts = el("dl");
  const card = el(
    "article",
    { class: "panel cam-card" },
    el("h3", {}, el("a", { href: `/cameras/${encodeURIComponent(cam.id)}`, text: cam.name || cam.id }), " ", badge),
    el("img", { src: `${camPath}/snapshot.jpg`, alt: `Snapshot of ${cam.name || cam.id}`, loading: "lazy" }),
    facts,
  );
  const fact = (k, v) => [el("dt", { text: k }), el("dd", { text: v })];
  facts.append(
    ...fact("Source", cam.source || "—"),
    ...fact("Lines / zones", `${cam.lines.length} / ${cam.zones.length}`),
  );
  api
    .get(`${camPath}/health`)
    .then((h) => {
      badge.className = `badge ${stateClass(h.state)}`;
      badge.textContent = h.state;
      facts.append(
        ...fact("Frames/s in / analysed", `${formatNumber(h.input_fps, 1)} / ${formatNumber(h.analysed_fps, 1)}`),
        ...fact("Last frame", formatTime(h.last_frame_time, site.timezone)),
        ...fact("Reconnects", formatNumber(h.reconnects)),
      );
      if (h.message) facts.append(...fact("Problem", h.message));
    })
    .catch((err) => {
      badge.className = "badge idle";
      badge.textContent = err.status === 409 ? "not live here" : "unknown";
      badge.title = err.message;
    });
  return card;
}
