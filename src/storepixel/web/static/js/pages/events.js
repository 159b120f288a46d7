// Events explorer, newest first: filters, cursor pagination (next_cursor; earlier cursors kept for "Previous")
// and export links carrying the same filters.
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { fillFilterForm } from "../filters.js";
import { describe, el, kindLabel, formatTime } from "../format.js";
import { showDescriptions } from "../descriptions.js";

const form = document.getElementById("filter-form");
const msg = document.getElementById("filter-msg");
let ctx = null;
let cursors = [null]; // cursor of each page seen so far; the last is the current page's
let nextCursor = null;

start(async () => {
  const { site, sitePath } = await boot();
  ctx = { site, sitePath };
  fillFilterForm(form, site, ["from", "to", "camera", "zone", "kind", "limit"]);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    cursors = [null];
    load();
  });
  document.getElementById("next").addEventListener("click", () => {
    cursors.push(nextCursor);
    load();
  });
  document.getElementById("prev").addEventListener("click", () => {
    cursors.pop();
    load();
  });
  await load();
});

function filters() {
  const f = {};
  for (const name of ["from", "to", "camera", "zone", "kind"]) if (form[name].value) f[name] = form[name].value;
  if (f.from && f.to && f.to < f.from) throw new Error(`"To" (${f.to}) is before "From" (${f.from}).`);
  return f;
}

async function load() {
  say(msg, "");
  let f;
  try {
    f = filters();
  } catch (err) {
    say(msg, err.message);
    return;
  }
  history.replaceState(null, "", `${location.pathname}${api.qs({ ...f, limit: form.limit.value })}`);
  for (const format of ["csv", "jsonl", "parquet"]) {
    document.getElementById(`export-${format}`).href = `${ctx.sitePath}/events/export${api.qs({ ...f, format })}`;
  }
  const cursor = cursors[cursors.length - 1];
  let page;
  try {
    page = await api.get(`${ctx.sitePath}/events`, { ...f, limit: form.limit.value, cursor, order: "newest" });
    const { camera, from, to } = f;
    showDescriptions(document.getElementById("descriptions"), ctx.sitePath, ctx.site.timezone, { camera, from, to });
  } catch (err) {
    say(msg, err.message);
    return;
  }
  nextCursor = page.next_cursor;
  const tz = ctx.site.timezone;
  const rows = page.items.map((ev) =>
    el(
      "tr",
      {},
      el("td", { class: "mono", text: formatTime(ev.time, tz) }),
      el("td", { text: ev.camera_id }),
      el("td", { text: kindLabel(ev.kind) }),
      el("td", { text: ev.scope_id || "—" }),
      el("td", { class: "mono", text: ev.track_id }),
      el("td", { text: describe(ev.properties) }),
    ),
  );
  document.getElementById("events").replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "muted", text: "No events match these filters." }))]),
  );
  document.getElementById("page-label").textContent = `page ${cursors.length} · ${page.items.length} event(s)`;
  document.getElementById("next").disabled = !nextCursor;
  document.getElementById("prev").disabled = cursors.length <= 1;
}
