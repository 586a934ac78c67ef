// core/src/admin/ui_page.cc
//! The admin web page served at GET /ui and /ui/audit (admin_api.h): one self-contained HTML
//! document, no external assets. Loading it needs no token; the page asks for the admin bearer
//! token (kept in sessionStorage, sent as Authorization on its API calls).
//!
//! Views are tabs: "Audit" (GET /api/v1/audit with filters, newest first in a table). To add a
//! view (e.g. "Approvals"): a <button data-view="NAME"> in the tab bar, a <section
//! id="view-NAME">, an entry in `views` in the script, and a /ui/NAME route in admin_api.cc.
//!
//! Safety: record values only ever reach the page through textContent / createTextNode (never
//! innerHTML), so a statement text cannot inject markup; the response's CSP forbids any other
//! origin.
#include <string_view>

#include "warden/admin/admin_api.h"

namespace warden::admin {
namespace {

constexpr std::string_view kPage = R"WARDENUI(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden admin</title>
<style>
  :root { --fg: #1d2330; --muted: #6b7385; --line: #d9dde5; --accent: #2456c8; --bad: #b3261e; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
  header { display: flex; align-items: center; gap: 16px; padding: 10px 16px;
           border-bottom: 1px solid var(--line); background: #f6f7f9; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0; }
  nav.tabs { display: flex; gap: 4px; }
  nav.tabs button { border: 1px solid var(--line); background: #fff; padding: 5px 12px;
                    border-radius: 6px 6px 0 0; cursor: pointer; }
  nav.tabs button[aria-selected="true"] { border-bottom-color: #fff; font-weight: 600; color: var(--accent); }
  #token-box { margin-left: auto; display: flex; gap: 6px; align-items: center; }
  main { padding: 12px 16px; }
  section[hidden] { display: none; }
  form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin-bottom: 10px; }
  form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
  input { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; }
  input.narrow { width: 7em; }
  button.primary { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: 6px 14px; cursor: pointer; }
  #audit-status { color: var(--muted); margin: 6px 0; min-height: 1.4em; }
  #audit-status.error { color: var(--bad); }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { position: sticky; top: 0; background: #fff; }
  td.ts { white-space: nowrap; font-family: ui-monospace, monospace; font-size: 12px; }
  td.sql { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; max-width: 48em; }
  tr.deny td.action, td.error { color: var(--bad); }
</style>
</head>
<body>
<header>
  <h1>Warden admin</h1>
  <nav class="tabs" role="tablist" id="tabs">
    <button type="button" role="tab" data-view="audit" aria-selected="true">Audit</button>
    <!-- Approvals: <button type="button" role="tab" data-view="approvals">Approvals</button> -->
  </nav>
  <form id="token-box" autocomplete="off">
    <label for="token">Admin token</label>
    <input id="token" type="password" placeholder="bearer token" size="24">
    <button type="submit">Use</button>
    <button type="button" id="forget">Forget</button>
  </form>
</header>
<main>
  <section id="view-audit" data-title="Audit">
    <form class="filters" id="audit-form">
      <label>user <input name="user"></label>
      <label>target <input name="target"></label>
      <label>action <input name="action" class="narrow" placeholder="deny"></label>
      <label>kind <input name="kind" class="narrow" placeholder="drop_*"></label>
      <label>since <input name="since" type="datetime-local" step="1"></label>
      <label>until <input name="until" type="datetime-local" step="1"></label>
      <label>text <input name="text" placeholder="statement contains"></label>
      <label>limit <input name="limit" class="narrow" type="number" min="1" max="10000" value="100"></label>
      <button type="submit" class="primary">Search</button>
    </form>
    <div id="audit-status" role="status"></div>
    <table id="audit-table">
      <thead><tr><th>ts</th><th>event</th><th>user</th><th>target</th><th>action</th><th>rule</th>
        <th>kind</th><th>statement</th><th>rows</th><th>error</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <!-- Approvals view goes here: <section id="view-approvals" hidden>...</section> -->
</main>
<script>
"use strict";
(function () {
  const TOKEN_KEY = "warden.admin.token";
  const $ = (id) => document.getElementById(id);

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
  $("token").value = token();
  $("token-box").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    const v = views[current];
    if (v && v.refresh) v.refresh();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $("token").value = "";
  });

  // GET `path` with the bearer token; resolves to the parsed JSON or throws an Error.
  async function api(path) {
    if (!token()) throw new Error("enter the admin token first");
    const r = await fetch(path, { headers: { "Authorization": "Bearer " + token() },
                                  cache: "no-store", credentials: "omit" });
    let body = null;
    try { body = await r.json(); } catch (_) { /* not JSON */ }
    if (r.status === 401) throw new Error("token rejected (401)");
    if (!r.ok) throw new Error((body && body.error) || ("HTTP " + r.status));
    return body;
  }

  // A table cell whose content is text only (never markup).
  function cell(tr, value, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = value === undefined || value === null ? "" : String(value);
    tr.appendChild(td);
  }

  function status(msg, isError) {
    const s = $("audit-status");
    s.textContent = msg;
    s.className = isError ? "error" : "";
  }

  function isoOf(localValue) {
    if (!localValue) return "";
    const d = new Date(localValue);
    return isNaN(d.getTime()) ? "" : d.toISOString();
  }

  const audit = {
    async refresh() {
      const form = $("audit-form");
      const q = new URLSearchParams();
      for (const name of ["user", "target", "action", "kind", "text", "limit"]) {
        const v = form.elements[name].value.trim();
        if (v) q.set(name, v);
      }
      for (const name of ["since", "until"]) {
        const v = isoOf(form.elements[name].value);
        if (v) q.set(name, v);
      }
      status("searching...", false);
      const tbody = $("audit-table").tBodies[0];
      try {
        const data = await api("/api/v1/audit?" + q.toString());
        const rows = document.createDocumentFragment();
        for (const r of data.records || []) {
          const tr = document.createElement("tr");
          const id = r.identity || {}, st = r.statement || {}, d = r.decision || {}, res = r.result || {};
          if (d.action === "deny") tr.className = "deny";
          cell(tr, r.ts, "ts");
          cell(tr, r.event);
          cell(tr, id.user);
          cell(tr, r.target);
          cell(tr, d.action, "action");
          cell(tr, d.rule);
          cell(tr, st.kind);
          cell(tr, st.text, "sql");
          cell(tr, res.rows);
          cell(tr, res.error, "error");
          rows.appendChild(tr);
        }
        tbody.replaceChildren(rows);
        const n = (data.records || []).length;
        status(n + " record" + (n === 1 ? "" : "s") + ", newest first" +
               (data.timed_out ? " (search timed out: narrow the filters)" :
                data.truncated ? " (more match: raise the limit or narrow the filters)" : ""), false);
      } catch (e) {
        tbody.replaceChildren();
        status(e.message, true);
      }
    },
  };
  $("audit-form").addEventListener("submit", (e) => { e.preventDefault(); audit.refresh(); });

  // Views by tab name. Approvals: add { approvals: { refresh() {...} } } and its section.
  const views = { audit };
  let current = "audit";
  function show(name) {
    if (!views[name]) name = "audit";
    current = name;
    for (const b of document.querySelectorAll("#tabs button")) {
      b.setAttribute("aria-selected", String(b.dataset.view === name));
    }
    for (const s of document.querySelectorAll("main > section")) {
      s.hidden = s.id !== "view-" + name;
    }
    history.replaceState(null, "", "/ui/" + name);
    if (token()) views[name].refresh();
  }
  for (const b of document.querySelectorAll("#tabs button")) {
    b.addEventListener("click", () => show(b.dataset.view));
  }
  const m = location.pathname.match(/^\/ui\/([a-z]+)$/);
  show(m ? m[1] : "audit");
})();
</script>
</body>
</html>
)WARDENUI";

}  // namespace

std::string_view uiPage() { return kPage; }

}  // namespace warden::admin
