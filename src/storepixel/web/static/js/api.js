// Thin client for the storepixel REST API: JSON in and out, the CSRF header on every cookie-
// authenticated write, one-line error messages from the API's {"detail": ...}, and a trip to the
// login page when the session has gone.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** One line from a FastAPI error body: a string detail, or the first validation problem. */
export function detailText(body, status) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail
      .map((d) => {
        const where = (d.loc || []).filter((p) => p !== "body").join(".");
        return where ? `${where}: ${d.msg}` : d.msg;
      })
      .join("; ");
  }
  return `request failed (HTTP ${status})`;
}

export function setCsrf(token) {
  csrfToken = token;
}

export function csrfHeader() {
  return csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

export function toLogin() {
  const here = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(here)}`);
}

/** Query string from an object, leaving out empty values. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

export async function request(method, path, { body, query, form, login = false } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") Object.assign(headers, csrfHeader());
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(path + qs(query), {
    method,
    headers,
    body: payload,
    credentials: "same-origin",
  });
  if (res.status === 401 && !login) {
    toLogin();
    throw new ApiError(401, "not logged in");
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 200) };
    }
  }
  if (!res.ok) throw new ApiError(res.status, detailText(data, res.status));
  return data;
}

export const get = (path, query) => request("GET", path, { query });
export const post = (path, body) => request("POST", path, { body });
export const put = (path, body) => request("PUT", path, { body });
export const del = (path) => request("DELETE", path);

/** The logged-in user ({username, role, csrf_token}); remembers the CSRF token for writes. */
export async function me() {
  const user = await get("/api/auth/me");
  setCsrf(user.csrf_token);
  return user;
}

export async function login(username, password) {
  const user = await request("POST", "/api/auth/login", {
    body: { username, password },
    login: true,
  });
  setCsrf(user.csrf_token);
  return user;
}

export async function logout() {
  await request("POST", "/api/auth/logout", { login: true });
}

/** ws:// URL for an API path on this host (the session cookie authenticates it). */
export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}
