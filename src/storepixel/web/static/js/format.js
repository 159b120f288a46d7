// Formatting in the site's time zone (not the browser's): the store's clock is what people read.

/** "YYYY-MM-DD" of an instant in a time zone. */
export function dateIn(tz, when = new Date()) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(when);
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** A calendar date moved by n days ("YYYY-MM-DD" in, out; no time zone involved). */
export function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function formatTime(iso, tz, { seconds = true, date = true } = {}) {
  if (!iso) return "—";
  const opts = { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (seconds) opts.second = "2-digit";
  if (date) Object.assign(opts, { year: "numeric", month: "2-digit", day: "2-digit" });
  // POSIX seconds are accepted too (health reports may carry them).
  const when = typeof iso === "number" ? new Date(iso * 1000) : new Date(iso);
  return new Intl.DateTimeFormat("en-CA", opts).format(when).replace(",", "");
}

export function formatDuration(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return "—";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  const h = Math.floor(s / 3600);
  return `${h} h ${Math.round((s % 3600) / 60)} min`;
}

export function formatNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return Number(n).toLocaleString("en", { maximumFractionDigits: digits });
}

/** Make an element with attributes and children (strings become text, never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Badge class for a camera health state. */
export function stateClass(state) {
  const s = String(state || "").toLowerCase();
  if (["running", "ok", "live", "streaming", "healthy"].includes(s)) return "ok";
  if (["reconnecting", "starting", "degraded", "stalled", "connecting"].includes(s)) return "warn";
  if (["failed", "error", "stopped", "unreachable", "offline"].includes(s)) return "bad";
  return "idle";
}

const KIND_LABELS = {
  line_crossing: "Line crossing",
  zone_enter: "Entered zone",
  zone_exit: "Left zone",
  queue_join: "Joined queue",
  queue_leave: "Left queue",
  visit_start: "Visit started",
  visit_end: "Visit ended",
  shelf_pass: "Passed shelf",
  shelf_attention: "Looked at shelf",
  shelf_reach: "Reached into shelf",
};

/** An event kind as people say it ("zone_exit" → "Left zone"); unknown kinds de-snaked. */
export function kindLabel(kind) {
  return KIND_LABELS[kind] || sentence(kind);
}

function sentence(key) {
  const words = String(key).replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An event's properties as "Dwell: 1 min 5 s, Direction: in": seconds ("…_s") as durations,
 * other numbers to one decimal. */
export function describe(props) {
  return Object.entries(props || {})
    .map(([k, v]) => {
      if (k.endsWith("_s") && typeof v === "number") return `${sentence(k.slice(0, -2))}: ${formatDuration(v)}`;
      return `${sentence(k)}: ${typeof v === "number" ? formatNumber(v, 1) : v}`;
    })
    .join(", ");
}
