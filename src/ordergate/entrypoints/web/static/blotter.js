// The blotter: REST for snapshots and actions, the WebSocket stream for live updates.
"use strict";
const state = { key: sessionStorage.getItem("ordergate-key") || "", orders: new Map(), ws: null };
const $ = (sel) => document.querySelector(sel);

async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: { "Authorization": `Bearer ${state.key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(describe(data, res.status));
  return data;
}

function describe(data, status) {
  if (data && data.reasons) return "denied: " + data.reasons.map((r) => `${r.rule}: ${r.message}`).join("; ");
  const detail = data && data.detail;
  if (Array.isArray(detail)) return detail.map((d) => d.msg).join("; ");
  return `${status}: ${detail || "error"}`;
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : text;
  if (cls) td.className = cls;
  return td;
}

// An order seen twice keeps its latest state: a submit's answer can arrive after the stream already
// brought the acknowledgement, and must not put the order back to pending_new.
function keepOrder(o) {
  const seen = state.orders.get(o.id);
  if (!seen || (o.updated_at || "") >= (seen.updated_at || "")) state.orders.set(o.id, o);
}

function renderOrders() {
  const body = $("#orders tbody");
  body.replaceChildren();
  const rows = [...state.orders.values()].sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 200);
  for (const o of rows) {
    const tr = document.createElement("tr");
    tr.append(cell(o.created_at.slice(11, 19)), cell(o.id), cell(o.symbol), cell(o.side, o.side), cell(o.type),
      cell(o.qty), cell(o.limit_price), cell(o.stop_price), cell(o.time_in_force), cell(o.status, "s-" + o.status),
      cell(o.filled_qty), cell(o.avg_fill_price), cell(o.reason));
    const td = document.createElement("td");
    if (!["filled", "canceled", "rejected", "expired"].includes(o.status)) {
      const b = document.createElement("button");
      b.textContent = "Cancel";
      b.onclick = () => act(() => api("DELETE", `/api/v1/orders/${o.id}?reason=blotter`));
      td.append(b);
    }
    tr.append(td);
    body.append(tr);
  }
}

async function refreshPortfolio() {
  const account = $("#order-form").account.value;
  const [acct, positions] = await Promise.all([
    api("GET", `/api/v1/accounts/${encodeURIComponent(account)}`),
    api("GET", `/api/v1/positions/?account=${encodeURIComponent(account)}`),
  ]);
  const ab = $("#account tbody");
  ab.replaceChildren();
  for (const [cur, b] of Object.entries(acct.balances)) {
    const tr = document.createElement("tr");
    tr.append(cell(cur), cell(b.cash), cell(b.reserved), cell(b.buying_power), cell(b.equity));
    ab.append(tr);
  }
  const pb = $("#positions tbody");
  pb.replaceChildren();
  for (const p of positions) {
    const tr = document.createElement("tr");
    tr.append(cell(p.symbol), cell(p.qty), cell(p.avg_cost), cell(p.mark_price), cell(p.market_value),
      cell(p.realized_pnl), cell(p.unrealized_pnl));
    pb.append(tr);
  }
}

// Many events can arrive at once (an order, its fills, its position): one refresh for each burst.
let portfolioTimer = null;
function refreshPortfolioSoon() {
  if (portfolioTimer !== null) return;
  portfolioTimer = setTimeout(() => { portfolioTimer = null; act(refreshPortfolio); }, 150);
}

function message(text, ok) {
  const m = $("#message");
  m.textContent = text;
  m.className = ok ? "ok" : "error";
}

async function act(fn) {
  try { await fn(); } catch (e) { message(e.message, false); }
}

function connectStream() {
  if (state.ws) state.ws.close();
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/api/v1/stream?key=${encodeURIComponent(state.key)}`);
  state.ws = ws;
  ws.onopen = () => { $("#conn").textContent = "live"; $("#conn").className = "badge on"; };
  ws.onclose = () => {
    $("#conn").textContent = "disconnected"; $("#conn").className = "badge off";
    if (state.ws === ws) setTimeout(connectStream, 2000);
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === "order") { keepOrder(msg.order); renderOrders(); }
    refreshPortfolioSoon();  // orders move reservations, fills move cash and positions
  };
}

async function start() {
  const [instruments, page] = await Promise.all([api("GET", "/api/v1/instruments/"), api("GET", "/api/v1/orders/?limit=200")]);
  $("#symbols").replaceChildren(...instruments.map((i) => new Option(`${i.symbol} (${i.currency})`, i.symbol)));
  for (const o of page.items) keepOrder(o);
  renderOrders();
  await refreshPortfolio();
  connectStream();
  message("connected", true);
}

$("#login").onsubmit = (ev) => {
  ev.preventDefault();
  state.key = $("#key").value.trim();
  sessionStorage.setItem("ordergate-key", state.key);
  act(start);
};

$("#order-form").onsubmit = (ev) => {
  ev.preventDefault();
  const body = {};
  for (const [k, v] of new FormData(ev.target).entries()) if (v !== "") body[k] = v;
  act(async () => {
    const o = await api("POST", "/api/v1/orders/", body);
    keepOrder(o);
    renderOrders();
    message(`order ${o.id} ${o.status}`, true);
  });
};

$("#cancel-all").onclick = () => act(async () => {
  const r = await api("POST", "/api/v1/orders/cancel-all", { account: $("#order-form").account.value });
  message(`cancel requested for ${r.count} order(s)`, true);
});

if (state.key) { $("#key").value = state.key; act(start); }
