// The fleet view: every store's KPIs for one period side by side against the fleet's median,
// and each edge's last health report (GET /api/fleet).
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { addDays, dateIn, el, formatDuration, formatNumber, formatTime } from "../format.js";

const form = document.getElementById("fleet-form");
const msg = document.getElementById("fleet-msg");
const browserTz = Intl.DateTimeFormat().resolvedOptions().timeZone;

start(async () => {
  const { site } = await boot();
  const today = dateIn(site.timezone);
  form.from.value = addDays(today, -6);
  form.to.value = addDays(today, 1);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  await load();
});

/** "+12 %" / "−8 %" against the median, or nothing when not comparable. */
function versus(rel) {
  if (rel === null || rel === undefined) return null;
  const pct = Math.round(rel * 100);
  const text = `${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)} %`;
  return el("span", { class: `vs ${pct > 0 ? "up" : pct < 0 ? "down" : ""}`, text: ` ${text}` });
}

const SHOW = {
  footfall: (v) => formatNumber(v),
  visits: (v) => formatNumber(v),
  dwell_p50_s: (v) => (v === null ? "—" : formatDuration(v)),
  conversion: (v) => (v === null ? "—" : `${formatNumber(v * 100, 1)} %`),
};

function kpiRow(store) {
  return el(
    "tr",
    { "data-site": store.site },
    el("th", { scope: "row", text: store.name }),
    ...Object.entries(SHOW).map(([k, show]) =>
      el("td", { "data-kpi": k }, show(store.kpis[k]), versus(store.vs_median[k])),
    ),
    el("td", { text: formatDuration(store.kpis.coverage_s) }),
  );
}

function healthRow(store) {
  const h = store.health;
  const down = (h.cameras || []).filter((c) => c.state !== "streaming").map((c) => c.camera);
  return el(
    "tr",
    { "data-site": store.site },
    el("th", { scope: "row", text: store.name }),
    el("td", { class: `status ${h.status}`, text: h.status }),
    el("td", { class: "mono", text: formatTime(h.last_report, browserTz) }),
    el("td", { class: "mono", text: formatTime(h.last_sync, browserTz) }),
    el("td", { "data-lag": "", text: h.lag_s === null || h.lag_s === undefined ? "—" : formatDuration(h.lag_s) }),
    el("td", { text: formatNumber(h.pending) }),
    el("td", { "data-up": "", text: String(h.cameras_up) }),
    el("td", { "data-down": "", title: down.join(", "), text: String(h.cameras_down) }),
  );
}

async function load() {
  say(msg, "");
  let data;
  try {
    data = await api.get("/api/fleet", { from: form.from.value, to: form.to.value });
  } catch (err) {
    say(msg, err.message);
    return;
  }
  const stores = data.stores;
  const empty = (n) => el("tr", {}, el("td", { colspan: n, class: "muted", text: "No stores." }));
  document.getElementById("kpis").replaceChildren(...(stores.length ? stores.map(kpiRow) : [empty(6)]));
  const m = data.median;
  document.getElementById("median").replaceChildren(
    el(
      "tr",
      { class: "median" },
      el("th", { scope: "row", text: "Fleet median" }),
      ...Object.entries(SHOW).map(([k, show]) => el("td", { "data-kpi": k }, show(m[k]))),
      el("td", {}),
    ),
  );
  document.getElementById("health").replaceChildren(...(stores.length ? stores.map(healthRow) : [empty(8)]));
}
