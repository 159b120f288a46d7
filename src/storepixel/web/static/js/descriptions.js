// People-chunk descriptions as a timeline: one block per chunk (a visit's stretch of footage),
// its items in capture order, alerts first and marked, flags shown (never hidden), then one line
// per tracked person.
import * as api from "./api.js";
import { el, formatTime } from "./format.js";

function item(it, tz) {
  const who = it.subject !== null && it.subject !== undefined ? `#${it.subject}` : it.claimed_subject ? `#${it.claimed_subject}?` : "";
  const flags = (it.flags || []).length ? ` [${it.flags.join(", ")}]` : "";
  const what = [it.action, it.object ? `(${it.object})` : "", it.zone ? `@ ${it.zone}` : ""].filter(Boolean).join(" ");
  return el(
    "li",
    { class: it.kind === "alert" ? "alert" : "" },
    el("span", { class: "mono", text: formatTime(it.time, tz, { date: false }) }),
    " ",
    el("strong", { text: who }),
    ` ${what}${flags}`,
  );
}

function chunk(c, tz) {
  const head = `${formatTime(c.start, tz)} → ${formatTime(c.end, tz, { date: false })} · ${c.camera_id} · ${c.status}`;
  const body = [];
  for (const a of c.alerts || []) {
    body.push(el("p", { class: "msg error", text: `${a.severity} ${a.kind} at ${formatTime(a.time, tz, { date: false })}: ${a.reason}` }));
  }
  if (c.status === "done") {
    body.push(el("ul", { class: "timeline" }, (c.items || []).map((it) => item(it, tz))));
    const people = (c.people || []).map((p) => el("li", {}, el("strong", { text: `#${p.subject}` }), ` ${p.summary}`));
    if (people.length) body.push(el("ul", { class: "people" }, people));
    else if (c.summary) body.push(el("p", { class: "muted", text: c.summary })); // the people's lines, joined
  } else {
    body.push(el("p", { class: "muted", text: c.reason || c.status }));
  }
  const cost = c.tokens_in || c.tokens_out ? ` · ${c.tokens_in + c.tokens_out} tokens` : "";
  return el("article", { class: "chunk" }, el("h3", { text: head + cost }), ...body);
}

/** Fill ``container`` with the site's descriptions matching ``query`` (camera, from, to). */
export async function showDescriptions(container, sitePath, tz, query = {}) {
  let page;
  try {
    page = await api.get(`${sitePath}/descriptions`, { limit: 50, ...query });
  } catch (err) {
    container.replaceChildren(el("p", { class: "msg error", text: err.message }));
    return;
  }
  if (!page.items.length) {
    container.replaceChildren(el("p", { class: "muted", text: "No described people-chunks (describe: is off, or nothing yet)." }));
    return;
  }
  container.replaceChildren(...page.items.slice().reverse().map((c) => chunk(c, tz)));
}
