// Line and zone editor drawn on a canvas over the camera snapshot. Geometry is normalised (0–1 of
// the frame's width and height, origin top-left), exactly as in the site YAML and the API.
// Click adds a point, dragging a point of the draft moves it; the points can also be typed.

export const COLORS = {
  line: "#1f5fbf",
  area: "#1d7a45",
  queue: "#c2571a",
  shelf: "#7b3fb5",
  staff: "#0e7490",
  planogram: "#be185d", // shelves measured from pose (passers → stoppers → reachers)
  mask: "#6b7280",
  ignore: "#b91c1c",
  static: "#d97706",
  draft: "#f0b400",
};

const HIT_PX = 10; // how close (CSS px) a press must be to grab a draft point

/** Normalised [x, y] of a position inside a box of width × height, clamped and rounded. */
export function normalise(px, py, width, height) {
  const clamp = (v) => Math.min(1, Math.max(0, v));
  const round = (v) => Math.round(v * 10000) / 10000;
  return [round(clamp(px / width)), round(clamp(py / height))];
}

/** "x, y" per line. */
export function formatPoints(points) {
  return points.map(([x, y]) => `${x}, ${y}`).join("\n");
}

/** Points from text: one "x, y" (or "x y") pair per line; throws with a one-line message. */
export function parsePoints(text) {
  const lines = text
    .split(/\n|;/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.map((line, i) => {
    const parts = line.split(/[\s,]+/).filter(Boolean).map(Number);
    if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v))) {
      throw new Error(`point ${i + 1}: expected "x, y" with two numbers, got "${line}"`);
    }
    return parts;
  });
}

/** The unit vector pointing to a line's "in" side (a crossing from the walker's left to right). */
export function inDirection([[x1, y1], [x2, y2]], width = 1, height = 1) {
  const dx = (x2 - x1) * width;
  const dy = (y2 - y1) * height;
  const len = Math.hypot(dx, dy) || 1;
  return [-dy / len, dx / len];
}

export class ShapeEditor {
  /**
   * canvas: the overlay; onChange(points) is called whenever the draft's points change.
   */
  constructor(canvas, { onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.onChange = onChange;
    this.shapes = { lines: [], zones: [], masks: [], ignore: [], static: [] };
    this.draft = { type: "line", kind: "area", points: [], editing: null };
    this.dragging = -1;
    this.readOnly = false; // shows the shapes but takes no points (viewers)
    canvas.addEventListener("pointerdown", (e) => this.press(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.release(e));
    canvas.addEventListener("pointercancel", (e) => this.release(e));
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  setShapes(shapes) {
    this.shapes = { lines: [], zones: [], shelves: [], masks: [], ignore: [], static: [], ...shapes };
    this.draw();
  }

  /** Replace the draft: {type: "line"|"zone", kind, points, editing: id or null}. */
  setDraft(draft) {
    this.draft = { ...this.draft, ...draft, points: (draft.points || this.draft.points).map((p) => [...p]) };
    this.draw();
    this.onChange(this.draft.points);
  }

  /** Reverse the point order: for a line this swaps its in and out sides. */
  reverse() {
    this.draft.points.reverse();
    this.changed();
  }

  undo() {
    this.draft.points.pop();
    this.changed();
  }

  clear() {
    this.draft.points = [];
    this.changed();
  }

  changed() {
    this.draw();
    this.onChange(this.draft.points);
  }

  position(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top, w: r.width, h: r.height };
  }

  press(e) {
    if (e.button !== 0 || this.readOnly) return;
    const { x, y, w, h } = this.position(e);
    const hit = this.draft.points.findIndex(
      ([px, py]) => Math.hypot(px * w - x, py * h - y) <= HIT_PX,
    );
    if (hit >= 0) {
      this.dragging = hit;
      this.canvas.setPointerCapture(e.pointerId);
      return;
    }
    const point = normalise(x, y, w, h);
    if (this.draft.type === "line" && this.draft.points.length >= 2) this.draft.points = [];
    this.draft.points.push(point);
    this.changed();
  }

  move(e) {
    if (this.dragging < 0) return;
    const { x, y, w, h } = this.position(e);
    this.draft.points[this.dragging] = normalise(x, y, w, h);
    this.changed();
  }

  release(e) {
    if (this.dragging >= 0 && this.canvas.hasPointerCapture(e.pointerId)) {
      this.canvas.releasePointerCapture(e.pointerId);
    }
    this.dragging = -1;
  }

  draw() {
    const c = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (!w || !h) return;
    c.width = Math.round(w * ratio);
    c.height = Math.round(h * ratio);
    const ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const px = ([x, y]) => [x * w, y * h];
    const editing = this.draft.editing;

    for (const m of this.shapes.masks) polygon(ctx, m.polygon.map(px), COLORS.mask, 0.45, null);
    // Ignore areas (set in the site YAML or the API): people standing inside are not tracked.
    for (const a of this.shapes.ignore) {
      polygon(ctx, a.polygon.map(px), COLORS.ignore, 0.12, a.id || null, [6, 4]);
    }
    // Static-object candidates and decisions (box [x1, y1, x2, y2]): dashed, labelled.
    for (const o of this.shapes.static) {
      const [x1, y1, x2, y2] = o.box;
      const corners = [[x1, y1], [x2, y1], [x2, y2], [x1, y2]].map(px);
      polygon(ctx, corners, COLORS.static, o.decision === "dismissed" ? 0 : 0.15, o.label || null, [3, 3]);
    }
    for (const z of this.shapes.zones) {
      if (z.id === editing) continue;
      polygon(ctx, z.polygon.map(px), COLORS[z.kind] || COLORS.area, 0.18, z.id);
    }
    for (const s of this.shapes.shelves || []) {
      if (s.id === editing && this.draft.type === "shelf") continue;
      polygon(ctx, s.polygon.map(px), COLORS.planogram, 0.15, s.id, [8, 3]);
    }
    for (const l of this.shapes.lines) {
      if (l.id === editing) continue;
      line(ctx, l.points.map(px), COLORS.line, l.id, w, h);
    }

    const pts = this.draft.points.map(px);
    if (this.draft.type !== "line" && pts.length >= 3) polygon(ctx, pts, COLORS.draft, 0.25, null);
    else if (this.draft.type === "line" && pts.length === 2) line(ctx, pts, COLORS.draft, null, w, h);
    else if (pts.length >= 2) polyline(ctx, pts, COLORS.draft);
    pts.forEach(([x, y], i) => handle(ctx, x, y, i + 1));
  }
}

function polygon(ctx, pts, color, alpha, label, dash = []) {
  if (pts.length < 3) return;
  ctx.beginPath();
  pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.closePath();
  ctx.globalAlpha = alpha;
  ctx.fillStyle = color;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.lineWidth = 2;
  ctx.strokeStyle = color;
  ctx.setLineDash(dash);
  ctx.stroke();
  ctx.setLineDash([]);
  if (label) tag(ctx, pts[0][0] + 4, pts[0][1] + 4, label, color);
}

function polyline(ctx, pts, color) {
  ctx.beginPath();
  pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.lineWidth = 2;
  ctx.strokeStyle = color;
  ctx.setLineDash([6, 4]);
  ctx.stroke();
  ctx.setLineDash([]);
}

function line(ctx, [[x1, y1], [x2, y2]], color, label, w, h) {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.lineWidth = 3;
  ctx.strokeStyle = color;
  ctx.stroke();
  // An arrow from the middle towards the "in" side.
  const [ux, uy] = inDirection([[x1 / w, y1 / h], [x2 / w, y2 / h]], w, h);
  const mx = (x1 + x2) / 2;
  const my = (y1 + y2) / 2;
  const ax = mx + ux * 28;
  const ay = my + uy * 28;
  ctx.beginPath();
  ctx.moveTo(mx, my);
  ctx.lineTo(ax, ay);
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(ax, ay);
  ctx.lineTo(ax - ux * 8 - uy * 5, ay - uy * 8 + ux * 5);
  ctx.lineTo(ax - ux * 8 + uy * 5, ay - uy * 8 - ux * 5);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
  tag(ctx, ax + ux * 4, ay + uy * 4, "in", color);
  if (label) tag(ctx, x1 + 4, y1 - 18, label, color);
}

function handle(ctx, x, y, n) {
  ctx.beginPath();
  ctx.arc(x, y, 6, 0, Math.PI * 2);
  ctx.fillStyle = COLORS.draft;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#1d232b";
  ctx.stroke();
  ctx.fillStyle = "#fff";
  ctx.font = "bold 11px sans-serif";
  ctx.fillText(String(n), x + 8, y - 8);
}

function tag(ctx, x, y, text, color) {
  ctx.font = "12px sans-serif";
  const w = ctx.measureText(text).width + 8;
  ctx.fillStyle = "rgba(15, 20, 26, 0.75)";
  ctx.fillRect(x, y, w, 16);
  ctx.fillStyle = "#fff";
  ctx.fillText(text, x + 4, y + 12);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.strokeRect(x, y, w, 16);
}
