// The blotter's state, REST calls, log-in and start-up. Other files add panels to OG.
"use strict";
window.OG = window.OG || {};
OG.state = {
  key: sessionStorage.getItem("ordergate-key") || "",
  instruments: new Map(), accounts: [], account: "PAPER", selected: null,
  orders: new Map(), fills: new Map(), positions: new Map(), balances: {}, quotes: new Map(),
  filter: "all", tradingState: "active",
};
const $ = (sel) => document.querySelector(sel);

OG.el = function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "className") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
};
// A table cell; long text is cut by CSS, the whole of it is in the tooltip.
OG.td = (text, cls, title) => OG.el("td", { className: cls, title: title || (text ? String(text) : null), text: text == null ? "" : String(text) });

OG.api = async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: { "Authorization": `Bearer ${OG.state.key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error(OG.describe(data, res.status));
    err.status = res.status; err.data = data;
    throw err;
  }
  return data;
};

// The server's error as one sentence; `fields` gets each named field's message.
OG.describe = function describe(data, status, fields) {
  if (data && data.reasons) return "denied by risk: " + data.reasons.map((r) => `${r.rule}: ${r.message}`).join("; ");
  const detail = data && data.detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const field = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : null;
      if (fields && field) fields[field] = d.msg;
      return field ? `${field}: ${d.msg}` : d.msg;
    }).join("; ");
  }
  if (status === 401 || status === 403) return `${status}: ${detail || "not allowed"} (check the API key)`;
  return `${status}: ${detail || "error"}`;
};

OG.message = function message(text, ok) {
  const m = $("#message");
  m.textContent = text;
  m.className = ok ? "ok" : "error";
};

OG.act = async function act(fn) {
  try { await fn(); } catch (e) { OG.message(e.message, false); }
};

// Ask before doing something that cannot be undone; resolves true when confirmed.
OG.confirm = function confirmDialog(title, text, action) {
  const dialog = $("#confirm");
  $("#confirm-title").textContent = title;
  $("#confirm-text").textContent = text;
  $("#confirm-yes").textContent = action;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
};

// Everything the REST API knows now: used at log-in and when the stream says events were lost.
OG.reload = async function reload() {
  const account = encodeURIComponent(OG.state.account);
  const [page, fills] = await Promise.all([
    OG.api("GET", `/api/v1/orders/?limit=200&account=${account}`),
    OG.api("GET", `/api/v1/fills/?limit=200&account=${account}`),
  ]);
  for (const o of page.items) OG.keepOrder(o);
  for (const f of fills.items) OG.state.fills.set(f.fill_id, f);
  OG.renderOrders();
  OG.renderFills();
  await OG.refreshPortfolio();
};

async function start() {
  const [instruments, accounts] = await Promise.all([
    OG.api("GET", "/api/v1/instruments/"), OG.api("GET", "/api/v1/accounts/"),
  ]);
  OG.state.instruments = new Map(instruments.map((i) => [i.symbol, i]));
  OG.state.accounts = accounts.map((a) => a.id);
  if (!OG.state.accounts.includes(OG.state.account)) OG.state.account = OG.state.accounts[0] || "PAPER";
  OG.state.selected = OG.state.selected || instruments[0].symbol;
  $("#account-select").replaceChildren(...OG.state.accounts.map((a) => new Option(a, a)));
  $("#account-select").value = OG.state.account;
  document.body.classList.add("logged-in");
  for (const el of document.querySelectorAll(".selected-symbol")) el.textContent = OG.state.selected;
  OG.initTicket();
  OG.renderWatchlist();
  OG.stream.connect();  // its first hello loads the state (OG.reload), so no event falls between the two
  OG.message("connected", true);
}

$("#login").onsubmit = (ev) => {
  ev.preventDefault();
  OG.state.key = $("#key").value.trim();
  sessionStorage.setItem("ordergate-key", OG.state.key);
  OG.act(start);
};
$("#logout").onclick = () => {
  sessionStorage.removeItem("ordergate-key");
  location.reload();
};
$("#account-select").onchange = (ev) => {
  OG.state.account = ev.target.value;
  OG.state.orders.clear(); OG.state.fills.clear(); OG.state.positions.clear();
  OG.ticketAccount();
  OG.stream.restart();  // its hello reloads the account's state
};

window.addEventListener("DOMContentLoaded", () => {
  if (OG.state.key) { $("#key").value = OG.state.key; OG.act(start); }
});
