// What every filter form shares: the time-zone note, the camera and zone pickers, and the values
// restored from the page's URL (so a link opens the same search or list).
import { qs } from "./api.js";
import { addDays, el } from "./format.js";
import { say } from "./session.js";

export function fillFilterForm(form, site, names) {
  document.getElementById("tz-note").textContent = `Times in ${site.timezone}`;
  for (const cam of site.cameras) form.camera.append(el("option", { value: cam.id, text: cam.name || cam.id }));
  const scopes = new Set(site.cameras.flatMap((c) => [...c.lines.map((l) => l.id), ...c.zones.map((z) => z.id)]));
  for (const id of [...scopes].sort()) form.zone.append(el("option", { value: id, text: id }));
  const q = new URLSearchParams(location.search);
  for (const name of names) if (q.get(name)) form[name].value = q.get(name);
}

/** The date-range form as API query values: naive times mean the site's time zone; "to" is
 * exclusive. Throws with the message to show when the range is incomplete or backwards. */
export function rangeQuery(form) {
  const from = form.from.value;
  const to = form.to.value;
  if (!from || !to) throw new Error("Choose both a start and an end date.");
  if (to < from) throw new Error(`The end date ${to} is before the start date ${from}.`);
  const q = { from: `${from}T00:00:00`, to: `${addDays(to, 1)}T00:00:00` };
  if (form.camera.value) q.camera = form.camera.value;
  return q;
}

/** ``rangeQuery`` for a page's refresh: clears ``msg``, or says there why the range is refused
 * and returns null. */
export function rangeOrSay(form, msg) {
  say(msg, "");
  try {
    return rangeQuery(form);
  } catch (err) {
    say(msg, err.message);
    return null;
  }
}

/** Keeps the form's values in the URL (a view can be bookmarked) and shows the range viewed;
 * returns its label. */
export function showRange(form, site) {
  history.replaceState(null, "", location.pathname + qs(Object.fromEntries(new FormData(form))));
  const label = form.from.value === form.to.value ? form.from.value : `${form.from.value} to ${form.to.value}`;
  document.getElementById("range-label").textContent = `${label} · ${site.timezone}`;
  return label;
}
