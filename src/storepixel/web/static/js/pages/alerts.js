// Alerts with their life cycle (acknowledge; resolve for admins) and sales against footfall
// (conversion and basket per local hour or day, from /analytics/conversion).
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { addDays, dateIn, el, formatNumber, formatTime } from "../format.js";

let ctx = null;
const filter = document.getElementById("alert-filter");
const msg = document.getElementById("alert-msg");
const salesForm = document.getElementById("sales-form");

start(async () => {
  const { user, site, sitePath } = await boot();
  ctx = { user, site, sitePath };
  document.getElementById("tz-note").textContent = `Times in ${site.timezone}`;
  filter.addEventListener("submit", (e) => {
    e.preventDefault();
    loadAlerts();
  });
  salesForm.day.value = dateIn(site.timezone);
  salesForm.addEventListener("submit", (e) => {
    e.preventDefault();
    loadSales();
  });
  await Promise.all([loadAlerts(), loadSales()]);
});

async function act(alert, action) {
  say(msg, "");
  try {
    await api.post(`${ctx.sitePath}/alerts/${encodeURIComponent(alert.id)}/${action}`);
  } catch (err) {
    say(msg, err.message);
  }
  await loadAlerts();
}

async function loadAlerts() {
  const tz = ctx.site.timezone;
  let page;
  try {
    page = await api.get(`${ctx.sitePath}/alerts`, { status: filter.status.value });
  } catch (err) {
    say(msg, err.message);
    return;
  }
  const rows = page.items.map((a) => {
    const buttons = [];
    if (a.status === "open") buttons.push(el("button", { type: "button", text: "Acknowledge", onclick: () => act(a, "acknowledge") }));
    if (a.status !== "resolved" && ctx.user.role === "admin") {
      buttons.push(el("button", { type: "button", text: "Resolve", onclick: () => act(a, "resolve") }));
    }
    return el(
      "tr",
      { "data-alert": a.id },
      el("td", { class: "mono", text: formatTime(a.started_at, tz) }),
      el("td", { text: a.severity }),
      el("td", { text: a.rule_id }),
      el("td", { text: a.scope_id ? `${a.camera_id} / ${a.scope_id}` : a.camera_id }),
      el("td", { class: "status", text: a.status }),
      el("td", { class: "mono", text: a.resolved_at ? formatTime(a.resolved_at, tz) : "—" }),
      el("td", { text: formatNumber(a.peak) }),
      el("td", { text: a.message }),
      el("td", { text: a.acknowledged_by || a.resolved_by || "—" }),
      el("td", {}, ...buttons),
    );
  });
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 10, class: "muted", text: "No alerts." })));
  document.getElementById("alerts").replaceChildren(...rows);
}

async function loadSales() {
  const out = document.getElementById("sales-msg");
  say(out, "");
  const day = salesForm.day.value;
  const bucket = salesForm.bucket.value;
  const to = addDays(day, 1);
  const from = bucket === "day" ? addDays(day, -6) : day;
  let data;
  try {
    data = await api.get(`${ctx.sitePath}/analytics/conversion`, { from, to, bucket });
  } catch (err) {
    say(out, err.message);
    return;
  }
  const tz = ctx.site.timezone;
  const pct = (v) => (v === null ? "—" : `${formatNumber(v * 100, 1)} %`);
  const row = (b, label) =>
    el(
      "tr",
      {},
      el("td", { class: "mono", text: label || formatTime(b.start, tz, { seconds: false }) }),
      el("td", { text: formatNumber(b.visitors) }),
      el("td", { text: formatNumber(b.transactions) }),
      el("td", { text: pct(b.conversion) }),
      el("td", { text: formatNumber(b.revenue, 2) }),
      el("td", { text: formatNumber(b.avg_basket, 2) }),
      el("td", { text: formatNumber(b.revenue_per_visitor, 2) }),
    );
  document.getElementById("sales").replaceChildren(...data.buckets.map((b) => row(b)), row(data.total, "Total"));
}
