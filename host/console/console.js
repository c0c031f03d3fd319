// Slotline console: a client of the admin API, nothing more. The token typed at login is
// kept in this tab's sessionStorage and sent as a bearer token; every page is drawn from
// the API's answers with DOM calls (text is always text: a caller's words never become
// markup), and every error is shown as the API gave it.
"use strict";

(() => {
  const TOKEN_KEY = "slotline.console.token";
  const main = document.getElementById("main");
  const nav = document.getElementById("nav");
  const status = document.getElementById("status");
  let session = null;
  let charts = [];

  // ---- small helpers -------------------------------------------------------------------

  /** An element with attributes (`on*` become listeners) and children (strings become text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function ms(us) {
    if (us === null || us === undefined) return "–";
    const value = us / 1000;
    return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
  }

  function percent(rate) {
    return rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)} %`;
  }

  function when(at) {
    const date = new Date(at);
    return Number.isNaN(date.getTime()) ? at : date.toLocaleString();
  }

  function badge(text) {
    return h("span", { class: `badge ${text}` }, text.replace("_", " "));
  }

  /** An API failure as the API described it. */
  class ApiFailure extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path, options = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = Object.assign({}, options.headers || {});
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(path, Object.assign({}, options, { headers }));
    } catch (err) {
      throw new ApiFailure(0, "unreachable", `The gateway could not be reached (${err.message}).`);
    }
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      const error = body && body.error;
      if (response.status === 401 && !path.endsWith("/session")) signOut("Your token was not accepted; sign in again.");
      throw new ApiFailure(
        response.status,
        error ? error.code : "http_" + response.status,
        error ? error.message : `HTTP ${response.status}`,
      );
    }
    return body;
  }

  function errorBox(err) {
    const code = err.code ? ` (${err.status} ${err.code})` : "";
    return h("div", { class: "error", role: "alert" }, `${err.message}${code}`);
  }

  function say(text) {
    status.textContent = text;
  }

  function tenantPath(tenant, rest) {
    return `/v1/admin/tenants/${encodeURIComponent(tenant)}${rest}`;
  }

  function link(hash, text, attrs = {}) {
    return h("a", Object.assign({ href: hash }, attrs), text);
  }

  function page(title, ...content) {
    for (const chart of charts) chart.destroy();
    charts = [];
    main.replaceChildren(h("h1", {}, title), ...content.flat().filter((c) => c !== null && c !== undefined && c !== false));
    document.title = `${title} · Slotline console`;
  }

  // ---- routing -------------------------------------------------------------------------

  /** `#/t/<tenant>/calls?tool=x` → { parts: ["t", tenant, "calls"], query }. */
  function route() {
    const hash = location.hash.replace(/^#/, "") || "/";
    const [path, search] = hash.split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    return { parts, query: new URLSearchParams(search || "") };
  }

  function drawNav(current) {
    if (!session) {
      nav.replaceChildren();
      return;
    }
    const items = [link("#/", "Tenants", current === "tenants" ? { "aria-current": "page" } : {})];
    const { parts } = route();
    if (parts[0] === "t" && parts[1]) {
      const tenant = parts[1];
      for (const [section, label] of [["calls", "Calls"], ["plugins", "Plugins"], ["callbacks", "Callbacks"]]) {
        const attrs = current === section ? { "aria-current": "page" } : {};
        items.push(link(`#/t/${encodeURIComponent(tenant)}/${section}`, `${tenant}: ${label}`, attrs));
      }
    }
    items.push(h("span", { class: "who" }, session.role === "operator" ? "operator" : `tenant ${session.tenants.join(", ")}`));
    items.push(h("button", { type: "button", class: "secondary", id: "sign-out", onclick: () => signOut() }, "Sign out"));
    nav.replaceChildren(...items);
  }

  async function render() {
    const { parts, query } = route();
    if (!session) {
      if (sessionStorage.getItem(TOKEN_KEY)) {
        try {
          session = await api("/v1/admin/session");
        } catch (err) {
          sessionStorage.removeItem(TOKEN_KEY);
          return showLogin(err);
        }
      } else {
        return showLogin();
      }
    }
    try {
      if (parts.length === 0) {
        drawNav("tenants");
        await showTenants();
      } else if (parts[0] === "t" && parts[2] === "calls" && parts[3]) {
        drawNav("calls");
        await showCall(parts[1], parts[3]);
      } else if (parts[0] === "t" && parts[2] === "calls") {
        drawNav("calls");
        await showCalls(parts[1], query);
      } else if (parts[0] === "t" && parts[2] === "plugins") {
        drawNav("plugins");
        await showPlugins(parts[1]);
      } else if (parts[0] === "t" && parts[2] === "callbacks") {
        drawNav("callbacks");
        await showCallbacks(parts[1]);
      } else {
        page("Not found", h("p", {}, "The console has no such page. ", link("#/", "Back to the tenants")));
      }
    } catch (err) {
      if (!(err instanceof ApiFailure)) throw err;
      if (session) page("Something went wrong", errorBox(err));
    }
    main.focus({ preventScroll: true });
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    session = null;
    drawNav();
    if (location.hash && location.hash !== "#/") location.hash = "#/";
    showLogin(message ? new ApiFailure(401, "unauthorized", message) : null);
  }

  // ---- login ---------------------------------------------------------------------------

  function showLogin(err) {
    drawNav();
    const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "current-password", required: true });
    const form = h(
      "form",
      {
        id: "login-form",
        onsubmit: async (event) => {
          event.preventDefault();
          sessionStorage.setItem(TOKEN_KEY, input.value.trim());
          try {
            session = await api("/v1/admin/session");
            say(`Signed in as ${session.role}.`);
            await render();
          } catch (failure) {
            sessionStorage.removeItem(TOKEN_KEY);
            showLogin(failure);
          }
        },
      },
      h("label", { for: "token" }, "Admin or tenant token", input),
      h("button", { type: "submit", id: "login" }, "Sign in"),
    );
    page("Sign in", h("div", { class: "login card" }, err ? errorBox(err) : null, form));
    input.focus();
  }

  // ---- tenants at a glance -------------------------------------------------------------

  async function showTenants() {
    const grid = h("div", { class: "grid", id: "tenants" });
    page("Tenants", h("p", { class: "muted" }, "The last hour of each tenant's tool calls."), grid);
    const summaries = await Promise.all(
      session.tenants.map((tenant) =>
        api(tenantPath(tenant, "/summary")).then(
          (summary) => ({ tenant, summary }),
          (error) => ({ tenant, error }),
        ),
      ),
    );
    for (const { tenant, summary, error } of summaries) {
      grid.append(tenantCard(tenant, summary, error));
    }
    for (const { tenant, summary } of summaries) {
      if (summary && summary.summary && summary.summary.tools.length) {
        const holder = grid.querySelector(`[data-chart="${CSS.escape(tenant)}"]`);
        if (holder) charts.push(toolChart(holder, summary.summary.tools));
      }
    }
  }

  function tenantCard(tenant, answer, error) {
    const base = `#/t/${encodeURIComponent(tenant)}`;
    const heading = h("h2", {}, link(`${base}/calls`, tenant));
    if (error) return h("section", { class: "card", dataset: { tenant } }, heading, errorBox(error));
    const s = answer.summary;
    const plugin = answer.plugin.active_version !== null
      ? `version ${answer.plugin.active_version}`
      : "as configured";
    const stat = (label, value, key) => h("div", {}, h("dt", {}, label), h("dd", { dataset: { stat: key } }, value));
    const stats = h(
      "dl",
      { class: "stats" },
      stat("Calls, last hour", s ? s.calls : "–", "calls"),
      stat("Tool calls", s ? s.tool_calls : "–", "tool_calls"),
      stat("Error rate", s ? percent(s.error_rate) : "–", "error_rate"),
      stat("Cache hit rate", s ? percent(s.cache_hit_rate) : "–", "cache_hit_rate"),
      stat("Plugin", plugin, "plugin"),
      stat("Digest", answer.plugin.serving_digest.slice(0, 12), "digest"),
    );
    const breakers = answer.breakers.length
      ? h("ul", { class: "breakers" }, answer.breakers.map((b) => h("li", {}, `${b.upstream} `, badge(b.state))))
      : h("p", { class: "muted" }, "No upstream called yet.");
    const chart = s && s.tools.length
      ? h("div", { class: "chart", dataset: { chart: tenant }, role: "img", "aria-label": chartLabel(s.tools) })
      : h("p", { class: "muted" }, s ? "No tool calls in the last hour." : "This gateway keeps no call log.");
    const links = h(
      "p",
      { class: "actions" },
      link(`${base}/calls`, "Calls"),
      link(`${base}/plugins`, "Plugins"),
      link(`${base}/callbacks`, "Callbacks"),
    );
    return h("section", { class: "card", dataset: { tenant } }, heading, stats, h("h3", { class: "muted" }, "p50 / p95 per tool"), chart, h("h3", { class: "muted" }, "Breakers"), breakers, links);
  }

  function chartLabel(tools) {
    return tools.map((t) => `${t.tool}: p50 ${t.p50_ms.toFixed(1)} ms, p95 ${t.p95_ms.toFixed(1)} ms`).join("; ");
  }

  /** p50 and p95 per tool as grouped bars (uPlot, vendored). */
  function toolChart(holder, tools) {
    const xs = tools.map((_, i) => i);
    const names = tools.map((t) => t.tool.replace(/_/g, " "));
    // Tool names are wider than their bars: one word per line for a few tools, slanted
    // when there are more, so no two labels overlap.
    const slanted = tools.length > 3;
    const labels = slanted ? names : tools.map((t) => t.tool.replace(/_/g, "\n"));
    const width = Math.max(240, holder.clientWidth || 300);
    const bars = (align) => uPlot.paths.bars({ size: [0.35, 48], align });
    const opts = {
      width,
      height: slanted ? 250 : 200,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: () => [-0.6, tools.length - 0.4] },
        y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        { splits: () => xs, values: (u, splits) => splits.map((i) => labels[i] || ""), size: slanted ? 96 : 48, gap: 4, rotate: slanted ? 40 : 0 },
        { label: "ms", size: 50 },
      ],
      series: [
        { label: "tool", value: (u, i) => (i === null ? "" : names[i] || "") },
        { label: "p50", stroke: "#2357c6", fill: "rgba(35,87,198,0.55)", paths: bars(-1), points: { show: false }, value: (u, v) => (v === null ? "" : `${v.toFixed(1)} ms`) },
        { label: "p95", stroke: "#b36b00", fill: "rgba(179,107,0,0.55)", paths: bars(1), points: { show: false }, value: (u, v) => (v === null ? "" : `${v.toFixed(1)} ms`) },
      ],
    };
    return new uPlot(opts, [xs, tools.map((t) => t.p50_ms), tools.map((t) => t.p95_ms)], holder);
  }

  // ---- a tenant's calls ----------------------------------------------------------------

  const OUTCOMES = ["ok", "failed", "refused", "overloaded"];

  async function showCalls(tenant, query) {
    const base = `#/t/${encodeURIComponent(tenant)}/calls`;
    const field = (name) => query.get(name) || "";
    const select = (name, options) =>
      h("select", { name, id: `filter-${name}` }, options.map(([value, label]) => h("option", { value, selected: field(name) === value }, label)));
    const form = h(
      "form",
      {
        class: "filters",
        id: "filters",
        onsubmit: (event) => {
          event.preventDefault();
          const params = new URLSearchParams();
          for (const [key, value] of new FormData(form)) if (value) params.set(key, value);
          location.hash = `${base}?${params}`;
        },
      },
      h("label", {}, "Tool", h("input", { name: "tool", id: "filter-tool", value: field("tool"), list: "tool-names", size: 18 })),
      h("label", {}, "Outcome", select("outcome", [["", "any"], ...OUTCOMES.map((o) => [o, o])])),
      h("label", {}, "Call id", h("input", { name: "call_id", id: "filter-call", value: field("call_id"), size: 18 })),
      h("label", {}, "Since", h("input", { name: "since", id: "filter-since", value: field("since"), placeholder: "2026-12-02T09:00:00Z", size: 22 })),
      h("label", {}, "Order", select("order", [["", "newest first"], ["slowest", "slowest first"]])),
      h("button", { type: "submit" }, "Filter"),
      h("datalist", { id: "tool-names" }),
    );
    const body = h("tbody", { id: "call-rows" });
    const table = h(
      "div",
      { class: "scroll" },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["When", "Call", "Tool", "Outcome", "Total", "Where the time went", "Plugin", "Said"].map((t) => h("th", { scope: "col" }, t)))),
        body,
      ),
    );
    const more = h("p", {});
    page(`${tenant}: calls`, form, table, more);
    const params = new URLSearchParams();
    for (const key of ["tool", "outcome", "call_id", "since", "until", "order"]) {
      if (query.get(key)) params.set(key, query.get(key));
    }
    params.set("limit", "50");
    let cursor = null;
    const load = async () => {
      if (cursor) params.set("cursor", cursor);
      let answer;
      try {
        answer = await api(`${tenantPath(tenant, "/calls")}?${params}`);
      } catch (err) {
        if (!(err instanceof ApiFailure)) throw err;
        more.replaceChildren(errorBox(err));
        return;
      }
      for (const call of answer.calls) body.append(callRow(tenant, call));
      if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No tool calls match.")));
      cursor = answer.next_cursor;
      more.replaceChildren(cursor ? h("button", { type: "button", class: "secondary", id: "more", onclick: load }, "Show more") : "");
    };
    await load();
    api(tenantPath(tenant, "/summary")).then(
      (answer) => {
        const list = form.querySelector("#tool-names");
        for (const t of (answer.summary && answer.summary.tools) || []) list.append(h("option", { value: t.tool }));
      },
      () => {},
    );
  }

  function callRow(tenant, call) {
    const href = `#/t/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(call.call_id)}`;
    return h(
      "tr",
      { dataset: { callId: call.call_id, tool: call.tool } },
      h("td", {}, when(call.at)),
      h("td", {}, link(href, call.call_id), h("br"), h("span", { class: "muted" }, call.platform)),
      h("td", {}, call.tool),
      h("td", {}, badge(call.outcome), call.error_code ? h("div", { class: "muted" }, call.error_code) : null),
      h("td", { class: "num" }, ms(call.total_us)),
      h("td", {}, miniWaterfall(call.waterfall)),
      h("td", {}, call.plugin_version !== null ? `v${call.plugin_version}` : (call.plugin_digest || "").slice(0, 8)),
      h("td", { class: "speech" }, call.speech),
    );
  }

  /** Slot wait, plugin and upstream time of one tool call as one small bar. */
  function miniWaterfall(w) {
    const total = Math.max(1, w.total_us);
    const bar = h("div", { class: "mini", role: "img", "aria-label": waterfallLabel(w) });
    const span = (kind, start, us) => {
      const el = h("span", { class: `k-${kind}` });
      el.style.left = `${(100 * start) / total}%`;
      el.style.width = `${Math.max(0.8, (100 * us) / total)}%`;
      bar.append(el);
    };
    const wait = w.slot_wait_us || 0;
    if (wait) span("wait", 0, wait);
    if (w.plugin_us) span("plugin", wait, w.plugin_us);
    const own = gatewayUs(w);
    if (own > 0) span("gateway", wait + (w.plugin_us || 0), own);
    for (const u of w.upstream || []) span(u.outcome === "ok" ? "upstream" : "failed", u.start_us, u.us);
    return bar;
  }

  /** Time spent in the gateway itself, neither waiting for an instance nor in the plugin:
   *  reading the request, the idempotency ledger, callbacks, host tools. */
  function gatewayUs(w) {
    return Math.max(0, w.total_us - (w.slot_wait_us || 0) - (w.plugin_us || 0));
  }

  function waterfallLabel(w) {
    const upstream = (w.upstream || []).length;
    return `total ${ms(w.total_us)}, plugin ${ms(w.plugin_us)}, gateway ${ms(gatewayUs(w))}, ${upstream} upstream request${upstream === 1 ? "" : "s"}`;
  }

  // ---- one call as a timeline ----------------------------------------------------------

  async function showCall(tenant, callId) {
    const answer = await api(tenantPath(tenant, `/calls/${encodeURIComponent(callId)}`));
    const items = [];
    for (const event of answer.events) items.push({ at: event.at, id: event.id, node: eventItem(event) });
    for (const call of answer.tool_calls) items.push({ at: call.at, id: call.id, node: toolCallItem(call) });
    items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    page(
      `Call ${callId}`,
      h("p", {}, link(`#/t/${encodeURIComponent(tenant)}/calls`, `← ${tenant}'s calls`)),
      h("ol", { class: "timeline", id: "timeline" }, items.map((item) => item.node)),
    );
  }

  function eventItem(event) {
    return h("li", { class: "event", dataset: { event: event.event } }, `${when(event.at)} · ${event.platform} · ${event.event.replace(/_/g, " ")}`);
  }

  function toolCallItem(call) {
    const w = call.waterfall;
    const total = Math.max(1, w.total_us);
    const rows = [];
    const row = (name, kind, start, us, note) => {
      const lane = h("div", { class: "lane" });
      const bar = h("span", { class: `k-${kind}` });
      bar.style.left = `${(100 * start) / total}%`;
      bar.style.width = `${Math.max(0.5, (100 * us) / total)}%`;
      lane.append(bar);
      rows.push(h("div", { class: "name" }, name, note ? h("span", { class: "muted" }, ` ${note}`) : null), lane, h("div", { class: "ms" }, ms(us)));
    };
    row("total", "total", 0, w.total_us);
    const wait = w.slot_wait_us || 0;
    if (w.slot_wait_us !== null && w.slot_wait_us !== undefined) row("waiting for an instance", "wait", 0, wait);
    if (w.plugin_us !== null && w.plugin_us !== undefined) row("plugin", "plugin", wait, w.plugin_us);
    row("gateway (outside the plugin)", "gateway", wait + (w.plugin_us || 0), gatewayUs(w));
    for (const u of w.upstream || []) {
      const notes = [u.status !== null ? String(u.status) : u.outcome];
      if (u.coalesced) notes.push("coalesced");
      row(`${u.method} ${u.host}${u.path}`, u.outcome === "ok" ? "upstream" : "failed", u.start_us, u.us, notes.join(", "));
    }
    if (w.upstream_not_shown) rows.push(h("div", { class: "muted" }, `${w.upstream_not_shown} more upstream requests not shown`), h("div"), h("div"));
    for (const read of (w.cache && w.cache.reads) || []) {
      row(`cache ${read.key}`, read.hit ? "cache" : "miss", read.start_us, read.us, read.hit ? "hit" : "miss");
    }
    const cache = w.cache ? `cache ${w.cache.hits} hit${w.cache.hits === 1 ? "" : "s"}, ${w.cache.misses} miss${w.cache.misses === 1 ? "" : "es"}` : "";
    return h(
      "li",
      { class: "card toolcall", dataset: { tool: call.tool } },
      h(
        "header",
        {},
        h("strong", {}, call.tool),
        badge(call.outcome),
        call.error_code ? h("span", { class: "muted" }, call.error_code) : null,
        h("span", {}, ms(call.total_us)),
        h("span", { class: "muted" }, when(call.at)),
        h("span", { class: "muted" }, call.plugin_version !== null ? `plugin v${call.plugin_version}` : `plugin ${(call.plugin_digest || "–").slice(0, 12)}`),
        h("span", { class: "muted" }, cache),
      ),
      h("p", { class: "said" }, call.speech),
      h("div", { class: "waterfall", role: "table", "aria-label": `where ${call.tool}'s time went` }, rows),
      h("details", { class: "args" }, h("summary", {}, "Arguments"), h("pre", {}, JSON.stringify(call.arguments, null, 2))),
    );
  }

  // ---- plugin versions -----------------------------------------------------------------

  async function showPlugins(tenant) {
    const answer = await api(tenantPath(tenant, "/plugins"));
    const feedback = h("div", { id: "plugin-feedback" });
    const file = h("input", { type: "file", id: "plugin-file", name: "plugin", accept: ".wasm,application/wasm", required: true });
    const activate = h("input", { type: "checkbox", id: "plugin-activate", name: "activate" });
    const upload = h(
      "form",
      {
        id: "upload-form",
        class: "filters",
        onsubmit: async (event) => {
          event.preventDefault();
          const chosen = file.files && file.files[0];
          if (!chosen) return;
          const button = upload.querySelector("button");
          button.disabled = true;
          feedback.replaceChildren(h("p", { class: "muted" }, `Uploading ${chosen.name} (${chosen.size} bytes)…`));
          try {
            const path = tenantPath(tenant, `/plugins${activate.checked ? "?activate=true" : ""}`);
            const made = await api(path, { method: "POST", headers: { "Content-Type": "application/wasm" }, body: chosen });
            await showPlugins(tenant);
            say(`Uploaded version ${made.version}.`);
            document.getElementById("plugin-feedback").replaceChildren(
              h("div", { class: "notice" }, `Uploaded version ${made.version}${made.active ? ", now active" : ""} (${made.size} bytes, checked in ${Math.round(made.upload_ms)} ms).`),
            );
          } catch (err) {
            if (!(err instanceof ApiFailure)) throw err;
            feedback.replaceChildren(errorBox(err));
            button.disabled = false;
          }
        },
      },
      h("label", { for: "plugin-file" }, "Component (.wasm)", file),
      h("label", { class: "inline", for: "plugin-activate" }, activate, "activate at once"),
      h("button", { type: "submit", id: "upload" }, "Upload"),
    );
    const versions = [...answer.versions].sort((a, b) => b.version - a.version);
    const active = answer.active;
    const previous = versions.find((v) => active !== null && v.version < active);
    const act = (version, label, id) =>
      h(
        "button",
        {
          type: "button",
          id,
          class: id === "rollback" ? "" : "secondary",
          dataset: { version },
          onclick: async () => {
            try {
              const done = await api(tenantPath(tenant, `/plugins/${version}/activate`), { method: "POST" });
              await showPlugins(tenant);
              say(`Version ${done.version} is active.`);
              document.getElementById("plugin-feedback").replaceChildren(h("div", { class: "notice" }, `Version ${done.version} is active (switched in ${Math.round(done.activated_ms)} ms).`));
            } catch (err) {
              if (!(err instanceof ApiFailure)) throw err;
              feedback.replaceChildren(errorBox(err));
            }
          },
        },
        label,
      );
    const rows = versions.map((v) =>
      h(
        "tr",
        { dataset: { version: v.version } },
        h("td", {}, `v${v.version}`, v.version === active ? [" ", badge("active")] : null),
        h("td", {}, when(v.uploaded_at)),
        h("td", { class: "num" }, `${(v.size / 1024).toFixed(0)} KiB`),
        h("td", {}, v.wit_version),
        h("td", {}, h("code", {}, v.digest.slice(0, 16))),
        h("td", {}, v.version === active ? "" : act(v.version, `Activate v${v.version}`, `activate-${v.version}`)),
        h("td", {}, replayButton(tenant, v.version)),
        h("td", {}, v.version === active ? "" : canaryButton(tenant, v.version)),
      ),
    );
    page(
      `${tenant}: plugins`,
      h("p", { class: "muted" }, active !== null ? `Serving version ${active} (${answer.serving.slice(0, 12)}).` : `Serving the configured plugin (${answer.serving.slice(0, 12)}); no version uploaded is active.`),
      previous ? h("p", {}, act(previous.version, `Roll back to v${previous.version}`, "rollback")) : null,
      h("section", { class: "card" }, h("h2", {}, "Upload a version"), upload, feedback),
      h(
        "div",
        { class: "scroll" },
        h("table", { id: "versions" }, h("thead", {}, h("tr", {}, ["Version", "Uploaded", "Size", "WIT", "Digest", "", "", ""].map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No versions uploaded yet.")))),
      ),
      h(
        "section",
        { class: "card", id: "canary" },
        h("h2", {}, "Canary"),
        h("p", { class: "muted" }, "A version on a share of new phone calls beside the active one: rolled back by itself when it fails callers more often, promoted after enough calls without."),
        h("label", { for: "canary-percent" }, "Share of new calls (%) "),
        h("input", { id: "canary-percent", type: "number", min: "1", max: "100", value: "10" }),
        h("div", { id: "canary-status" }, canaryStatus(answer.canary)),
      ),
      h("section", { class: "card", id: "replay" }, h("h2", {}, "Replay"), h("p", { class: "muted" }, "Runs the latest recorded calls on a version, answered from their recordings: nothing reaches the calendar."), h("div", { id: "replay-report" })),
    );
  }

  /** Starts a canary of `version` at the share in `#canary-percent`, then follows it. */
  function canaryButton(tenant, version) {
    return h(
      "button",
      {
        type: "button",
        id: `canary-${version}`,
        class: "secondary",
        onclick: async () => {
          const holder = document.getElementById("canary-status");
          const percent = document.getElementById("canary-percent").value;
          try {
            const started = await api(tenantPath(tenant, `/plugins/${version}/activate?canary=${encodeURIComponent(percent)}`), { method: "POST" });
            holder.replaceChildren(canaryStatus(started.canary));
            say(`Canary of version ${version} on ${started.canary.percent}% of new calls.`);
            followCanary(tenant);
          } catch (err) {
            if (!(err instanceof ApiFailure)) throw err;
            holder.replaceChildren(errorBox(err));
          }
        },
      },
      `Canary v${version}`,
    );
  }

  /** Refreshes the canary's progress every two seconds while it runs and its card is shown. */
  function followCanary(tenant) {
    setTimeout(async () => {
      const holder = document.getElementById("canary-status");
      if (!holder) return;
      try {
        const answer = await api(tenantPath(tenant, "/plugins"));
        holder.replaceChildren(canaryStatus(answer.canary));
        if (answer.canary && answer.canary.state === "running") followCanary(tenant);
      } catch (err) {
        if (!(err instanceof ApiFailure)) throw err;
        holder.replaceChildren(errorBox(err));
      }
    }, 2000);
  }

  function canaryStatus(canary) {
    if (!canary) return h("p", { class: "muted" }, "No canary yet.");
    const rate = (side) => (side.calls ? `${((100 * side.failures) / side.calls).toFixed(1)}% of ${side.calls}` : "no calls yet");
    const words = { running: "running", promoted: "promoted", rolled_back: "rolled back", stopped: "stopped" };
    return h(
      "p",
      { class: canary.state === "rolled_back" ? "error" : "notice", dataset: { state: canary.state, version: canary.candidate_version } },
      `Version ${canary.candidate_version} on ${canary.percent}% of new calls beside version ${canary.stable_version}: ${words[canary.state] || canary.state}. `,
      `Failed: ${rate(canary.candidate)} (candidate), ${rate(canary.stable)} (stable). `,
      `Judged after ${canary.rules.min_calls} calls, margin ${canary.rules.margin_percent} points, promoted after ${canary.rules.promote_after}.`,
      canary.reason ? h("span", { class: "muted" }, ` ${canary.reason}`) : null,
    );
  }

  /** The latest recorded calls on `version`, and where it answers otherwise. */
  function replayButton(tenant, version) {
    return h(
      "button",
      {
        type: "button",
        id: `replay-${version}`,
        class: "secondary",
        onclick: async (event) => {
          const button = event.currentTarget;
          const holder = document.getElementById("replay-report");
          button.disabled = true;
          holder.replaceChildren(h("p", { class: "muted" }, `Replaying on v${version}…`));
          try {
            const report = await api(tenantPath(tenant, `/plugins/${version}/replay?last=100`), { method: "POST" });
            holder.replaceChildren(replayReport(tenant, report));
            say(`Replay on version ${version}: ${report.totals.different} of ${report.totals.calls} calls differ.`);
          } catch (err) {
            if (!(err instanceof ApiFailure)) throw err;
            holder.replaceChildren(errorBox(err));
          } finally {
            button.disabled = false;
          }
        },
      },
      `Replay on v${version}`,
    );
  }

  function replayReport(tenant, report) {
    const t = report.totals;
    const summary = h(
      "p",
      { class: t.different ? "error" : "notice", dataset: { version: report.version } },
      `Version ${report.version}: ${t.calls} calls replayed, ${t.same} same, ${t.different} different, ${t.errors} plugin errors, ${t.not_replayable} not replayable, ${t.missing_requests} requests not in the recordings. `,
      `Median ${t.candidate_p50_us ?? "–"} µs per call (the versions that answered: ${t.recorded_version_p50_us ?? "–"} µs).`,
    );
    const changed = report.calls.filter((c) => c.verdict !== "same");
    if (!changed.length) return h("div", {}, summary);
    const rows = changed.map((c) =>
      h(
        "tr",
        { dataset: { verdict: c.verdict } },
        h("td", {}, c.tool),
        h("td", {}, link(`#/t/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(c.call_id)}`, c.call_id)),
        h("td", {}, when(c.at)),
        h(
          "td",
          {},
          c.reason || c.error || null,
          h("ul", { class: "plain" }, (c.differences || []).map((d) => h("li", {}, h("code", {}, d.field), ": ", d.words !== undefined ? words(d.words) : `${JSON.stringify(d.recorded)} → ${JSON.stringify(d.candidate)}`))),
          (c.missing_requests || []).length ? h("p", { class: "muted" }, `Not in the recording: ${c.missing_requests.join(", ")}`) : null,
        ),
      ),
    );
    return h(
      "div",
      {},
      summary,
      h("div", { class: "scroll" }, h("table", { id: "replay-calls" }, h("thead", {}, h("tr", {}, ["Tool", "Call", "At", "What changed"].map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, rows))),
    );
  }

  /** `[-old-]{+new+}` as struck and inserted words. */
  function words(diff) {
    const parts = [];
    const pattern = /\[-([\s\S]*?)-\]|\{\+([\s\S]*?)\+\}/g;
    let at = 0;
    for (const match of diff.matchAll(pattern)) {
      parts.push(diff.slice(at, match.index));
      parts.push(match[1] !== undefined ? h("del", {}, match[1]) : h("ins", {}, match[2]));
      at = match.index + match[0].length;
    }
    parts.push(diff.slice(at));
    return h("span", { class: "words" }, ...parts);
  }

  // ---- callbacks and booking intents ---------------------------------------------------

  async function showCallbacks(tenant) {
    const answer = await api(tenantPath(tenant, "/callbacks"));
    const waiting = answer.callbacks.filter((c) => c.status !== "done");
    const done = answer.callbacks.filter((c) => c.status === "done");
    const feedback = h("div", { id: "callback-feedback" });
    const row = (c) => {
      const details = Object.entries(c.details || {})
        .filter(([, v]) => v !== null && v !== "")
        .map(([k, v]) => `${k.replace(/_/g, " ")}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" · ");
      const finish = c.status === "done"
        ? ""
        : h(
            "button",
            {
              type: "button",
              id: `done-${c.id}`,
              dataset: { callback: c.id },
              onclick: async () => {
                try {
                  await api(tenantPath(tenant, `/callbacks/${encodeURIComponent(c.id)}/done`), { method: "POST" });
                  await showCallbacks(tenant);
                  say("Marked done.");
                } catch (err) {
                  if (!(err instanceof ApiFailure)) throw err;
                  feedback.replaceChildren(errorBox(err));
                }
              },
            },
            "Mark done",
          );
      return h(
        "tr",
        { dataset: { callback: c.id, status: c.status } },
        h("td", {}, when(c.created_at)),
        h("td", {}, c.kind === "booking_intent" ? "booking intent" : "callback"),
        h("td", {}, c.name || "–"),
        h("td", {}, c.phone || "–"),
        h("td", { class: "speech" }, details),
        h("td", {}, link(`#/t/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(c.call_id)}`, c.call_id)),
        h("td", {}, badge(c.status), " ", finish),
      );
    };
    const table = (list, id, empty) =>
      h(
        "div",
        { class: "scroll" },
        h("table", { id }, h("thead", {}, h("tr", {}, ["Asked", "Kind", "Name", "Phone", "What they said", "Call", "Status"].map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, list.length ? list.map(row) : h("tr", {}, h("td", { colspan: 7, class: "muted" }, empty)))),
      );
    page(
      `${tenant}: callbacks`,
      feedback,
      h("h2", {}, `To work through (${waiting.length})`),
      table(waiting, "open-callbacks", "Nobody is waiting."),
      h("h2", {}, `Done (${done.length})`),
      table(done, "done-callbacks", "None done yet."),
    );
  }

  window.addEventListener("hashchange", () => render());
  window.addEventListener("resize", () => {
    for (const chart of charts) {
      const holder = chart.root.parentElement;
      if (holder) chart.setSize({ width: Math.max(240, holder.clientWidth), height: 200 });
    }
  });
  render();
})();
