// Settings (admins): users, API keys (the new key is shown once) and the audit log.
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { el, formatTime } from "../format.js";

let ctx = null;

start(async () => {
  const { user, site, sitePath } = await boot();
  ctx = { user, site, sitePath };
  if (user.role !== "admin") {
    document.getElementById("admin-only").hidden = false;
    return;
  }
  document.getElementById("user-form").addEventListener("submit", addUser);
  document.getElementById("key-form").addEventListener("submit", addKey);
  document.getElementById("copy-key").addEventListener("click", async () => {
    const text = document.getElementById("new-key-value").textContent;
    try {
      await navigator.clipboard.writeText(text);
      say(document.getElementById("key-msg"), "Copied.", "ok");
    } catch {
      getSelection().selectAllChildren(document.getElementById("new-key-value"));
    }
  });
  await Promise.all([loadUsers(), loadKeys(), loadAudit()]);
});

const when = (t) => formatTime(t, ctx.site.timezone, { seconds: false });

async function loadUsers() {
  const users = await api.get("/api/users");
  document.getElementById("users").replaceChildren(
    ...users.map((u) =>
      el(
        "tr",
        { "data-user": u.username },
        el("td", { text: u.username }),
        el("td", { text: u.role }),
        el("td", { text: when(u.created_at || u.created) }),
        el(
          "td",
          {},
          u.username === ctx.user.username
            ? el("span", { class: "muted", text: "you" })
            : el("button", { type: "button", class: "danger", "aria-label": `Delete user ${u.username}`, onclick: () => deleteUser(u.username) }, "Delete"),
        ),
      ),
    ),
  );
}

async function addUser(e) {
  e.preventDefault();
  const f = e.target;
  const msg = document.getElementById("user-msg");
  try {
    await api.post("/api/users", { username: f.elements.username.value.trim(), password: f.elements.password.value, role: f.elements.role.value });
    say(msg, `Added ${f.elements.username.value.trim()}.`, "ok");
    f.reset();
    await Promise.all([loadUsers(), loadAudit()]);
  } catch (err) {
    say(msg, err.message);
  }
}

async function deleteUser(name) {
  if (!confirm(`Delete user ${name}? Their sessions end at once.`)) return;
  const msg = document.getElementById("user-msg");
  try {
    await api.del(`/api/users/${encodeURIComponent(name)}`);
    say(msg, `Deleted ${name}.`, "ok");
    await Promise.all([loadUsers(), loadAudit()]);
  } catch (err) {
    say(msg, err.message);
  }
}

async function loadKeys() {
  const keys = await api.get("/api/keys");
  const rows = keys.map((k) => {
    const revoked = Boolean(k.revoked || k.revoked_at);
    return el(
      "tr",
      { "data-key": k.id },
      el("td", { text: k.name }),
      el("td", { text: k.site || k.site_id }),
      el("td", { text: (k.scopes || []).join(", ") }),
      el("td", { text: when(k.created_at || k.created) }),
      el("td", {}, el("span", { class: `badge ${revoked ? "idle" : "ok"}`, text: revoked ? "revoked" : "active" })),
      el("td", {}, revoked ? "" : el("button", { type: "button", class: "danger", "aria-label": `Revoke key ${k.name}`, onclick: () => revoke(k) }, "Revoke")),
    );
  });
  document.getElementById("keys").replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "muted", text: "No API keys yet." }))]),
  );
}

async function addKey(e) {
  e.preventDefault();
  const f = e.target;
  const msg = document.getElementById("key-msg");
  const scopes = [...f.querySelectorAll("input[name=scopes]:checked")].map((c) => c.value);
  try {
    const created = await api.post("/api/keys", { name: f.elements.name.value.trim(), site: ctx.site.id, scopes });
    document.getElementById("new-key-value").textContent = created.key;
    document.getElementById("new-key").hidden = false;
    say(msg, "");
    f.elements.name.value = "";
    await Promise.all([loadKeys(), loadAudit()]);
  } catch (err) {
    say(msg, err.message);
  }
}

async function revoke(key) {
  if (!confirm(`Revoke key ${key.name}? Anything using it stops working.`)) return;
  const msg = document.getElementById("key-msg");
  try {
    await api.del(`/api/keys/${encodeURIComponent(key.id)}`);
    document.getElementById("new-key").hidden = true;
    say(msg, `Revoked ${key.name}.`, "ok");
    await Promise.all([loadKeys(), loadAudit()]);
  } catch (err) {
    say(msg, err.message);
  }
}

async function loadAudit() {
  const items = await api.get("/api/audit");
  document.getElementById("audit").replaceChildren(
    ...items.slice(0, 200).map((a) =>
      el(
        "tr",
        {},
        el("td", { class: "mono", text: formatTime(a.time, ctx.site.timezone) }),
        el("td", { text: a.actor }),
        el("td", { text: a.action }),
        el("td", { text: a.target || "—" }),
        el("td", { text: typeof a.detail === "object" && a.detail ? JSON.stringify(a.detail) : a.detail || "" }),
      ),
    ),
  );
}
