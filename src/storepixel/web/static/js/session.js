// Page start-up shared by every dashboard page: who is logged in, which site we look at
// (?site= or the first one), the header's user/site labels and the logout button.

import * as api from "./api.js";

/**
 * Resolve the user and the site. Returns {user, site, sitePath} where site is the full site
 * (id, name, timezone, cameras) and sitePath is "/api/sites/<id>".
 */
export async function boot() {
  const user = await api.me();
  document.getElementById("user-name").textContent = `${user.username} (${user.role})`;
  document.getElementById("logout").addEventListener("click", async () => {
    try {
      await api.logout();
    } finally {
      location.assign("/login");
    }
  });
  document.querySelectorAll("[data-admin]").forEach((el) => {
    el.hidden = user.role !== "admin";
  });

  const sites = await api.get("/api/sites");
  if (!sites.length) throw new api.ApiError(404, "no site is configured");
  const wanted = new URLSearchParams(location.search).get("site");
  const chosen = sites.find((s) => s.id === wanted) || sites[0];
  const sitePath = `/api/sites/${encodeURIComponent(chosen.id)}`;
  const site = await api.get(sitePath);
  document.getElementById("site-name").textContent = site.name || site.id;
  if (wanted && sites.length > 1) keepSiteInLinks(chosen.id);
  return { user, site, sitePath };
}

function keepSiteInLinks(siteId) {
  document.querySelectorAll("a[href^='/']").forEach((a) => {
    const url = new URL(a.href);
    if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/static/")) return;
    url.searchParams.set("site", siteId);
    a.href = url.pathname + url.search;
  });
}

/** Show a one-line message in an element (kind: error | ok | info); empty text hides it. */
export function say(el, text, kind = "error") {
  el.className = `msg ${kind}`;
  el.textContent = text || "";
}

/** Run a page's main function, reporting a failure in #page-msg instead of failing silently. */
export function start(main) {
  const out = document.getElementById("page-msg");
  main().catch((err) => {
    if (err && err.status === 401) return; // already on the way to /login
    if (out) say(out, err.message || String(err));
    console.error(err);
  });
}
