// Camera page: the line, zone and shelf editor over the latest snapshot, the saved shapes, and
// health.
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { COLORS, ShapeEditor, formatPoints, parsePoints } from "../editor.js";
import { el, formatNumber, formatTime, stateClass } from "../format.js";
import { showDescriptions } from "../descriptions.js";

const camId = document.getElementById("main").dataset.camera;
const form = document.getElementById("shape-form");
const msg = document.getElementById("shape-msg");
const pointsBox = document.getElementById("shape-points");
const idBox = document.getElementById("shape-id");
const saveButton = document.getElementById("save-shape");
const nameBox = document.getElementById("shape-name");
const kindBox = document.getElementById("zone-kind");
const footfallBox = document.getElementById("line-footfall");
const PLANOGRAM = ["product", "brand", "category"];
const COLLECTION = { line: "lines", zone: "zones", shelf: "shelves" };

let camPath = "";
let camera = null; // {lines, zones, privacy_masks, ...}
let editor = null;
let isAdmin = false;

start(async () => {
  const { user, site, sitePath } = await boot();
  isAdmin = user.role === "admin";
  camPath = `${sitePath}/cameras/${encodeURIComponent(camId)}`;
  editor = new ShapeEditor(document.getElementById("editor-canvas"), {
    onChange: (points) => {
      if (document.activeElement !== pointsBox) pointsBox.value = formatPoints(points);
      updateSaveLabel();
    },
  });
  await loadCamera();
  loadSnapshot();
  loadStatic().then(() => setInterval(loadStatic, 10000)); // candidates come and go with the picture
  showDescriptions(document.getElementById("descriptions"), sitePath, site.timezone, { camera: camId });
  loadHealth(site.timezone).then((live) => {
    if (live) setInterval(() => loadHealth(site.timezone), 5000); // keep live numbers current
  });
  wireForm();
  if (!isAdmin) {
    editor.readOnly = true;
    document.getElementById("editor-canvas").style.cursor = "default";
    form.querySelectorAll("input, select, textarea, button").forEach((c) => (c.disabled = true));
    say(msg, "Only an admin can change lines and zones.", "info");
  }
});

async function loadCamera() {
  camera = await api.get(camPath);
  document.getElementById("cam-title").textContent = camera.name || camera.id;
  editor.setShapes({
    lines: camera.lines,
    zones: camera.zones,
    shelves: camera.shelves || [],
    masks: camera.privacy_masks || [],
    ignore: camera.ignore_areas || [],
    static: editor.shapes.static, // kept: they come from their own endpoint
  });
  renderList();
}

// --- static objects: the live camera's candidates, and the installer's word on them ---------------

let staticObjects = { candidates: [], decisions: [] };

/** Intersection over union of two [x1, y1, x2, y2] boxes. */
function boxIou(a, b) {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const area = (r) => (r[2] - r[0]) * (r[3] - r[1]);
  return inter / (area(a) + area(b) - inter || 1);
}

async function loadStatic() {
  try {
    staticObjects = await api.get(`${camPath}/static-objects`);
  } catch (err) {
    say(document.getElementById("static-msg"), err.message);
    return;
  }
  renderStatic();
}

function renderStatic() {
  const { candidates, decisions } = staticObjects;
  // A candidate already decided on (same place) is listed once, as decided.
  const open = candidates.filter((c) => !decisions.some((d) => boxIou(c, d.box) >= 0.6));
  const rows = [
    ...open.map((box, i) => ({ box, state: "candidate", label: `S${i + 1}` })),
    ...decisions.map((d, i) => ({ box: d.box, state: d.decision, label: `D${i + 1}`, index: i })),
  ];
  editor.shapes.static = rows.map((r) => ({ box: r.box, decision: r.state, label: r.label }));
  editor.draw();
  const where = (b) => b.map((v) => v.toFixed(2)).join(", ");
  const button = (text, label, action) =>
    el("button", { type: "button", disabled: !isAdmin, onclick: action, "aria-label": label }, text);
  const list = rows.map((r) =>
    el(
      "tr",
      { "data-static": r.label },
      el("th", { scope: "row" }, el("span", { class: "swatch", style: `background:${COLORS.static}` }), `${r.label} (${where(r.box)})`),
      el("td", { text: r.state === "candidate" ? "not counted: has not moved" : r.state === "confirmed" ? "confirmed: not a person" : "dismissed: counted" }),
      el(
        "td",
        {},
        ...(r.state === "candidate"
          ? [
              button("Confirm", `Confirm ${r.label} is not a person`, () => decide([...decisions, { box: r.box, decision: "confirmed" }], `${r.label} confirmed`)),
              " ",
              button("Dismiss", `Dismiss ${r.label}: a person's place`, () => decide([...decisions, { box: r.box, decision: "dismissed" }], `${r.label} dismissed`)),
            ]
          : [button("Forget", `Forget decision ${r.label}`, () => decide(decisions.filter((_, i) => i !== r.index), `${r.label} forgotten`))]),
      ),
    ),
  );
  const empty = el("tr", {}, el("td", { colspan: 3, class: "muted", text: "None: nothing person-shaped has stood still here." }));
  document.getElementById("static-list").replaceChildren(...(list.length ? list : [empty]));
}

async function decide(decisions, done) {
  const msgBox = document.getElementById("static-msg");
  try {
    staticObjects = await api.put(`${camPath}/static-objects`, decisions);
    renderStatic();
    say(msgBox, `${done}. The camera applies it from its next frame.`, "ok");
  } catch (err) {
    say(msgBox, err.message);
  }
}

function loadSnapshot() {
  const img = document.getElementById("snapshot");
  img.onload = () => editor.draw();
  img.onerror = () => say(document.getElementById("page-msg"), "The camera has no snapshot yet.", "info");
  img.src = `${camPath}/snapshot.jpg?t=${Date.now()}`;
}

async function loadHealth(tz) {
  const dl = document.getElementById("health");
  const badge = document.getElementById("cam-state");
  const row = (k, v) => [el("dt", { text: k }), el("dd", { text: v })];
  try {
    const h = await api.get(`${camPath}/health`);
    badge.className = `badge ${stateClass(h.state)}`;
    badge.textContent = h.state;
    dl.replaceChildren(
      ...row("State", h.state),
      ...row("Frames/s captured", formatNumber(h.input_fps, 1)),
      ...row("Frames/s analysed", formatNumber(h.analysed_fps, 1)),
      ...row("Dropped frames", formatNumber(h.dropped)),
      ...row("Last frame", formatTime(h.last_frame_time, tz)),
      ...row("Reconnects", formatNumber(h.reconnects)),
      ...row("Up for", `${formatNumber(h.uptime_s)} s`),
      ...(h.message ? row("Problem", h.message) : []),
    );
    return true;
  } catch (err) {
    badge.className = "badge idle";
    badge.textContent = err.status === 409 ? "not live here" : "unknown";
    dl.replaceChildren(...row("Live", err.message));
    return false;
  }
}

function currentType() {
  return form.querySelector("input[name=type]:checked").value;
}

function updateSaveLabel() {
  const type = currentType();
  const n = editor.draft.points.length;
  const editing = editor.draft.editing;
  saveButton.textContent = `${editing ? "Update" : "Save"} ${type}`;
  saveButton.disabled = !isAdmin || (type === "line" ? n !== 2 : n < 3);
}

function showFields(type) {
  form.querySelector(`input[name=type][value=${type}]`).checked = true;
  document.getElementById("kind-field").hidden = type !== "zone";
  document.getElementById("footfall-field").hidden = type !== "line";
  document.getElementById("shelf-fields").hidden = type !== "shelf";
}

function planogramBox(key) {
  return document.getElementById(`shelf-${key}`);
}

function startNew(type) {
  showFields(type);
  footfallBox.checked = true;
  idBox.readOnly = false;
  idBox.value = "";
  nameBox.value = "";
  for (const key of PLANOGRAM) planogramBox(key).value = "";
  editor.setDraft({ type, kind: kindBox.value, points: [], editing: null });
  say(msg, "");
}

function editShape(type, shape) {
  showFields(type);
  if (type === "zone") kindBox.value = shape.kind;
  else if (type === "line") footfallBox.checked = shape.footfall !== false;
  else for (const key of PLANOGRAM) planogramBox(key).value = shape[key] || "";
  idBox.value = shape.id;
  idBox.readOnly = true; // the id names stored events; rename = delete + new
  nameBox.value = shape.name || "";
  editor.setDraft({ type, kind: shape.kind, points: type === "line" ? shape.points : shape.polygon, editing: shape.id });
  say(msg, `Editing ${type} "${shape.id}": drag its points or type new ones, then update.`, "info");
  idBox.scrollIntoView({ block: "nearest" });
}

function wireForm() {
  form.querySelectorAll("input[name=type]").forEach((r) =>
    r.addEventListener("change", () => startNew(currentType())),
  );
  kindBox.addEventListener("change", () => editor.setDraft({ kind: kindBox.value }));
  pointsBox.addEventListener("input", () => {
    try {
      editor.setDraft({ points: parsePoints(pointsBox.value) });
      say(msg, "");
    } catch (err) {
      say(msg, err.message);
    }
  });
  document.getElementById("reverse-points").addEventListener("click", () => editor.reverse());
  document.getElementById("undo-point").addEventListener("click", () => editor.undo());
  document.getElementById("clear-points").addEventListener("click", () => editor.clear());
  document.getElementById("new-shape").addEventListener("click", () => startNew(currentType()));
  document.getElementById("reload-snapshot").addEventListener("click", loadSnapshot);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save();
  });
  updateSaveLabel();
}

async function save() {
  const type = currentType();
  const id = idBox.value.trim();
  if (!id) {
    say(msg, "Give the line, zone or shelf an id (e.g. entrance).");
    idBox.focus();
    return;
  }
  let points;
  try {
    points = parsePoints(pointsBox.value);
  } catch (err) {
    say(msg, err.message);
    return;
  }
  const editing = editor.draft.editing;
  const collection = COLLECTION[type];
  const old = editing ? (camera[collection] || []).find((s) => s.id === editing) : null;
  const body = { ...(old || {}), id, name: nameBox.value.trim() || null };
  if (type === "line") Object.assign(body, { points, footfall: footfallBox.checked });
  else if (type === "zone") Object.assign(body, { kind: kindBox.value, polygon: points });
  else {
    body.polygon = points;
    for (const key of PLANOGRAM) body[key] = planogramBox(key).value.trim() || null;
  }
  saveButton.disabled = true;
  try {
    if (editing) await api.put(`${camPath}/${collection}/${encodeURIComponent(editing)}`, body);
    else await api.post(`${camPath}/${collection}`, body);
    await loadCamera();
    startNew(type);
    say(msg, `Saved ${type} "${id}". Counting uses it from the next analysed frame.`, "ok");
  } catch (err) {
    say(msg, err.message);
  } finally {
    updateSaveLabel();
  }
}

async function remove(type, id) {
  if (!confirm(`Delete ${type} "${id}"? Counts already recorded stay.`)) return;
  try {
    await api.del(`${camPath}/${COLLECTION[type]}/${encodeURIComponent(id)}`);
    await loadCamera();
    say(msg, `Deleted ${type} "${id}".`, "ok");
  } catch (err) {
    say(msg, err.message);
  }
}

function renderList() {
  const rows = [
    ...camera.lines.map((l) => ["line", l, l.footfall === false ? "line · inner" : "line · footfall", l.points]),
    ...camera.zones.map((z) => ["zone", z, `zone · ${z.kind}`, z.polygon]),
    ...(camera.shelves || []).map((s) => ["shelf", s, `shelf · ${[s.brand, s.product, s.category].filter(Boolean).join(" / ") || "no planogram"}`, s.polygon]),
  ].map(([type, shape, label, pts]) =>
    el(
      "tr",
      { "data-shape": `${type}:${shape.id}` },
      el("th", { scope: "row" }, el("span", { class: "swatch", style: `background:${type === "line" ? COLORS.line : type === "shelf" ? COLORS.planogram : COLORS[shape.kind]}` }), shape.id),
      el("td", { text: label }),
      el("td", { class: "mono", text: pts.map(([x, y]) => `(${x}, ${y})`).join(" ") }),
      el(
        "td",
        {},
        el("button", { type: "button", disabled: !isAdmin, onclick: () => editShape(type, shape), "aria-label": `Edit ${type} ${shape.id}` }, "Edit"),
        " ",
        el("button", { type: "button", class: "danger", disabled: !isAdmin, onclick: () => remove(type, shape.id), "aria-label": `Delete ${type} ${shape.id}` }, "Delete"),
      ),
    ),
  );
  const body = document.getElementById("shape-list");
  body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 4, class: "muted", text: "Nothing yet: draw a line, zone or shelf above." }))]));
}
