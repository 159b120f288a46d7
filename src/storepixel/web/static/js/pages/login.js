// Login form: POST /api/auth/login, then back to the page that sent us here (same site only).
import * as api from "../api.js";
import { say } from "../session.js";

const form = document.getElementById("login-form");
const msg = document.getElementById("login-msg");

function nextPage() {
  const next = new URLSearchParams(location.search).get("next") || "/";
  // Only paths on this server: "/x" but not "//evil.example" or "/\\evil".
  return /^\/(?![/\\])/.test(next) && !next.startsWith("/login") ? next : "/";
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
