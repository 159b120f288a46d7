// What every filter form shares: the time-zone note, the camera and zone pickers, and the values
// restored from the page's URL (so a link opens the same search or list).
import { el } from "./format.js";

export function fillFilterForm(form, site, names) {
  document.getElementById("tz-note").textContent = `Times in ${site.timezone}`;
  for (const cam of site.cameras) form.camera.append(el("option", { value: cam.id, text: cam.name || cam.id }));
  const scopes = new Set(site.cameras.flatMap((c) => [...c.lines.map((l) => l.id), ...c.zones.map((z) => z.id)]));
  for (const id of [...scopes].sort()) form.zone.append(el("option", { value: id, text: id }));
  const q = new URLSearchParams(location.search);
  for (const name of names) if (q.get(name)) form[name].value = q.get(name);
}
