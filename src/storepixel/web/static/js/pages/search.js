// Search what happened: GET /api/sites/{site}/search; each hit opens the events at its moment.
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { fillFilterForm } from "../filters.js";
import { el, formatTime } from "../format.js";

const form = document.getElementById("search-form");
const msg = document.getElementById("search-msg");
let ctx = null;

start(async () => {
  const { site, sitePath } = await boot();
  ctx = { site, sitePath };
  fillFilterForm(form, site, ["q", "camera", "zone", "since", "until"]);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  if (form.q.value) await run();
});

// An ISO instant as the site's local wall time (what the events page's filters take).
function local(iso, tz) {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  }).format(new Date(iso)).replace(" ", "T");
}

function openLink(hit) {
  const tz = ctx.site.timezone;
  const end = new Date(new Date(hit.end).getTime() + 1000).toISOString();
  const f = { from: local(hit.start, tz), to: local(end, tz) };
  if (hit.camera_id) f.camera = hit.camera_id;
  if (hit.scope_id) f.zone = hit.scope_id;
  return `/events${api.qs(f)}`;
}

async function run() {
  say(msg, "");
  const f = {};
  for (const name of ["q", "camera", "zone", "since", "until"]) if (form[name].value) f[name] = form[name].value;
  history.replaceState(null, "", `${location.pathname}${api.qs(f)}`);
  let res;
  try {
    res = await api.get(`${ctx.sitePath}/search`, f);
  } catch (err) {
    say(msg, err.message);
    return;
  }
  const tz = ctx.site.timezone;
  document.getElementById("range-label").textContent =
    `searched “${res.searched_for}”, ${res.range ? res.range.shown : "any time"}` + (res.notes.length ? ` · ${res.notes.join("; ")}` : "");
  const items = res.hits.map((h) =>
    el(
      "li",
      {},
      el("a", { href: openLink(h), text: h.text }),
      el("span", { class: "muted", text: ` · ${h.kind} · ${h.camera_id || "site"} · ${formatTime(h.start, tz)}` }),
    ),
  );
  document.getElementById("hits").replaceChildren(...(items.length ? items : [el("li", { class: "muted", text: "Nothing matched." })]));
}
