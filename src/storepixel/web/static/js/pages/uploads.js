// Uploads: send a clip with XMLHttpRequest (for upload progress), then poll the analysis job
// until it is done and show its summary. The job list below polls while any job is active.
import * as api from "../api.js";
import { boot, say, start } from "../session.js";
import { dateIn, el, formatDuration, formatNumber } from "../format.js";

const POLL_MS = 1000;
const form = document.getElementById("upload-form");
const msg = document.getElementById("upload-msg");
const bar = document.getElementById("upload-progress");
const pct = document.getElementById("upload-pct");
const phase = document.getElementById("upload-phase");
let ctx = null;
let listTimer = null;

start(async () => {
  const { user, site, sitePath } = await boot();
  ctx = { site, sitePath };
  document.getElementById("tz-note").textContent = `(${site.timezone})`;
  if (user.role !== "admin") {
    form.querySelectorAll("input, select, button").forEach((c) => (c.disabled = true));
    say(msg, "Uploading and following video jobs needs an admin (or an API key with the ingest scope).", "info");
    return;
  }
  for (const cam of site.cameras) form.camera.append(el("option", { value: cam.id, text: cam.name || cam.id }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    upload();
  });
  await listJobs();
});

function setProgress(fraction, text) {
  const f = Math.max(0, Math.min(1, fraction || 0));
  bar.value = f;
  pct.textContent = `${Math.round(f * 100)}%`;
  if (text !== undefined) phase.textContent = text;
}

/** POST the form with XMLHttpRequest; resolves with the created job. */
function send(data) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${ctx.sitePath}/jobs`);
    for (const [k, v] of Object.entries(api.csrfHeader())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) setProgress(e.loaded / e.total, `Uploading… ${formatNumber(e.loaded / 1e6, 1)} of ${formatNumber(e.total / 1e6, 1)} MB`);
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 401) api.toLogin();
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new api.ApiError(xhr.status, api.detailText(body, xhr.status)));
    };
    xhr.onerror = () => reject(new Error("the upload was interrupted (network error)"));
    xhr.send(data);
  });
}

async function upload() {
  say(msg, "");
  document.getElementById("upload-result").replaceChildren();
  const file = form.file.files[0];
  if (!file) {
    say(msg, "Choose a video file first.");
    return;
  }
  const data = new FormData();
  data.append("file", file);
  data.append("camera", form.camera.value);
  if (form.start.value) data.append("start", form.start.value);
  const button = document.getElementById("upload-button");
  button.disabled = true;
  document.getElementById("upload-status").hidden = false;
  setProgress(0, "Uploading…");
  try {
    let job = await send(data);
    setProgress(0, "Queued for analysis…");
    listJobs();
    while (["queued", "running"].includes(job.status)) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      job = await api.get(`${ctx.sitePath}/jobs/${encodeURIComponent(job.id)}`);
      if (job.status === "running") setProgress(job.progress, `Analysing ${job.filename}…`);
    }
    if (job.status === "done") {
      setProgress(1, `Done: ${job.filename} analysed.`);
      showResult(job);
    } else {
      setProgress(job.progress, `Job ${job.status}.`);
      say(msg, job.error || `The job ended as ${job.status}.`);
    }
  } catch (err) {
    setProgress(0, "Upload failed.");
    say(msg, err.message);
  } finally {
    button.disabled = false;
    listJobs();
  }
}

/** The analytics page for the day(s) the clip covers, in the site's time zone. */
function analyticsLink(job) {
  const r = job.result || {};
  const tz = ctx.site.timezone;
  const begin = r.timeline_start ? new Date(r.timeline_start) : new Date();
  const end = new Date(begin.getTime() + (r.seconds || 0) * 1000);
  return `/analytics${api.qs({ from: dateIn(tz, begin), to: dateIn(tz, end), camera: job.camera })}`;
}

function showResult(job) {
  const box = document.getElementById("upload-result");
  const r = job.result || {};
  const lines = Object.entries(r.lines || {});
  const zones = Object.entries(r.zones || {});
  box.replaceChildren(
    el("div", { class: "msg ok", id: "upload-done" }, `Analysed ${formatNumber(r.frames)} frames (${formatDuration(r.seconds)} of video). `, el("a", { href: analyticsLink(job), id: "to-analytics", text: "See it in analytics →" })),
    lines.length
      ? el(
          "table",
          { id: "result-lines" },
          el("caption", { text: "Counting lines" }),
          el("thead", {}, el("tr", {}, el("th", { text: "Line" }), el("th", { class: "num", text: "In" }), el("th", { class: "num", text: "Out" }))),
          el("tbody", {}, lines.map(([id, c]) => el("tr", {}, el("th", { scope: "row", text: id }), el("td", { class: "num", text: formatNumber(c.in) }), el("td", { class: "num", text: formatNumber(c.out) })))),
        )
      : "",
    zones.length
      ? el(
          "table",
          { id: "result-zones" },
          el("caption", { text: "Zones" }),
          el("thead", {}, el("tr", {}, ...["Zone", "Visits", "Dwell p50", "Dwell p90", "Peak occupancy"].map((t, i) => el("th", { class: i ? "num" : "", text: t })))),
          el(
            "tbody",
            {},
            zones.map(([id, z]) =>
              el(
                "tr",
                {},
                el("th", { scope: "row", text: id }),
                el("td", { class: "num", text: formatNumber(z.visits) }),
                el("td", { class: "num", text: formatDuration(z.dwell_p50_s) }),
                el("td", { class: "num", text: formatDuration(z.dwell_p90_s) }),
                el("td", { class: "num", text: formatNumber(z.occupancy_peak) }),
              ),
            ),
          ),
        )
      : "",
  );
}

async function cancel(job) {
  try {
    await api.del(`${ctx.sitePath}/jobs/${encodeURIComponent(job.id)}`);
  } catch (err) {
    say(msg, err.message);
  }
  listJobs();
}

async function listJobs() {
  clearTimeout(listTimer);
  let jobs;
  try {
    jobs = await api.get(`${ctx.sitePath}/jobs`);
  } catch (err) {
    say(msg, err.message);
    return;
  }
  const rows = jobs.map((job) => {
    const active = ["queued", "running"].includes(job.status);
    const r = job.result || {};
    const counts = Object.entries(r.lines || {}).map(([id, c]) => `${id}: ${c.in} in, ${c.out} out`).join("; ");
    return el(
      "tr",
      { "data-job": job.id },
      el("td", { text: job.filename }),
      el("td", { text: job.camera }),
      el("td", {}, el("span", { class: `badge ${{ done: "ok", failed: "bad", cancelled: "idle" }[job.status] || "warn"}`, text: job.status })),
      el("td", {}, el("progress", { max: 1, value: job.progress || 0, "aria-label": `Progress of ${job.filename}` })),
      el("td", { text: job.error || counts || "—" }),
      el("td", {}, active ? el("button", { type: "button", class: "danger", onclick: () => cancel(job) }, "Cancel") : ""),
    );
  });
  document.getElementById("jobs").replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "muted", text: "No uploads yet." }))]),
  );
  if (jobs.some((j) => ["queued", "running"].includes(j.status))) listTimer = setTimeout(listJobs, POLL_MS * 2);
}
