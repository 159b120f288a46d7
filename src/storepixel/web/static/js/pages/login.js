// Login form: POST /api/auth/login, then back to the page that sent us here (same site only).
import * as api from "../api.js";
import { say } from "../session.js";

const form = document.getElementById("login-form");
const msg = document.getElementById("login-msg");

/**
 * Where to go after logging in: the server's checked `next` (data-next), checked again the same
 * way (api/routers/pages.py safe_next). Browsers drop tabs and newlines from URLs and read "\\"
 * as "/", so "/\t/evil.example" would be "//evil.example": control characters, spaces and
 * backslashes are refused, and what is left must resolve to this origin.
 */
export function safeNext(raw) {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/login")) return "/";
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) return "/";
  const url = new URL(raw, location.origin);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : "/";
}

function nextPage() {
  return safeNext(form.dataset.next || new URLSearchParams(location.search).get("next"));
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    say(msg, "Enter your username and password.");
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  say(msg, "");
  try {
    await api.login(username, password);
    location.assign(nextPage());
  } catch (err) {
    say(msg, err.status === 401 ? "Wrong username or password." : err.message);
    form.password.select();
  } finally {
    button.disabled = false;
  }
});
