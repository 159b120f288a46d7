// Live wall: one WebSocket per camera (annotated frame + counts ~2/s) and one for the site's
// events. Sockets reconnect with a growing pause; a server without live cameras says so.
import * as api from "../api.js";
import { boot, start } from "../session.js";
import { describe, el, kindLabel, formatNumber, formatTime } from "../format.js";

const MAX_EVENTS = 50;

start(async () => {
  const { site, sitePath } = await boot();
  const wall = document.getElementById("wall");
  if (!site.cameras.length) {
    wall.replaceChildren(el("p", { class: "muted", text: "No cameras are configured for this site." }));
    return;
  }
  wall.replaceChildren(...site.cameras.map((cam) => liveTile(site, sitePath, cam)));
  followEvents(site, sitePath);
});

/**
 * Open a socket and keep it open: onMessage(data) for each message, onDown(reason) when it
 * closes. The server closes with 4401 (logged out), 4403/4404 (not yours: give up) or 4409 (no
 * live cameras in this process: try again now and then); anything else is retried sooner.
 */
function keepOpen(path, { onMessage, onDown }) {
  let pause = 1000;
  let detail = null;
  const open = () => {
    const ws = new WebSocket(api.wsUrl(path));
    ws.onmessage = (m) => {
      let data;
      try {
        data = JSON.parse(m.data);
      } catch {
        return;
      }
      if (data.type === "error") {
        detail = data.detail;
        return;
      }
      pause = 1000;
      onMessage(data);
    };
    ws.onclose = (e) => {
      if (e.code === 4401) return api.toLogin();
      onDown(detail || e.reason || "connection lost");
      detail = null;
      if (e.code === 4403 || e.code === 4404) return;
      pause = e.code === 4409 ? 30000 : Math.min(pause * 2, 30000);
      setTimeout(open, pause);
    };
  };
  open();
}

function liveTile(site, sitePath, cam) {
  const img = el("img", { alt: `Live view of ${cam.name || cam.id}` });
  const when = el("span", { class: "when", text: "connecting…" });
  const counts = el("dl", { class: "counts", "aria-live": "off" });
  const path = `${sitePath}/cameras/${encodeURIComponent(cam.id)}/live`;
  keepOpen(path, {
    onMessage: (msg) => {
      if (msg.type !== "frame") return;
      if (msg.jpeg) img.src = `data:image/jpeg;base64,${msg.jpeg}`;
      when.textContent = formatTime(msg.time, site.timezone, { date: false });
      showCounts(counts, msg.counts || {});
    },
    onDown: (reason) => {
      when.textContent = reason;
    },
  });
  return el(
    "article",
    { class: "panel live-tile", "data-camera": cam.id },
    el("h2", {}, el("a", { href: `/cameras/${encodeURIComponent(cam.id)}`, text: cam.name || cam.id }), " ", when),
    img,
    counts,
  );
}

function showCounts(dl, counts) {
  const rows = [["People in view", formatNumber(counts.people)]];
  for (const [id, c] of Object.entries(counts.lines || {})) {
    rows.push([`Line ${id}`, `${formatNumber(c.in)} in · ${formatNumber(c.out)} out`]);
  }
  for (const [id, z] of Object.entries(counts.zones || {})) {
    rows.push([`Zone ${id}`, `${formatNumber(z.occupancy)} inside`]);
  }
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

function followEvents(site, sitePath) {
  const body = document.getElementById("live-events");
  const note = document.getElementById("live-events-note");
  keepOpen(`${sitePath}/events/live`, {
    onMessage: (msg) => {
      if (msg.type !== "event") return;
      note.textContent = "";
      const ev = msg.event;
      body.prepend(
        el(
          "tr",
          {},
          el("td", { class: "mono", text: formatTime(ev.time, site.timezone, { date: false }) }),
          el("td", { text: ev.camera_id }),
          el("td", { text: kindLabel(ev.kind) }),
          el("td", { text: ev.scope_id || "—" }),
          el("td", { text: describe(ev.properties) }),
        ),
      );
      while (body.rows.length > MAX_EVENTS) body.deleteRow(-1);
    },
    onDown: (reason) => {
      note.textContent = `Event stream: ${reason}.`;
    },
  });
}
