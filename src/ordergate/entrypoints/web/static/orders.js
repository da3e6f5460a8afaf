// Working and done orders (filter, modify in place, cancel) and fills.
"use strict";
window.OG = window.OG || {};
const DONE = ["filled", "canceled", "rejected", "expired"];
const FILTERS = {
  all: () => true, open: (o) => !DONE.includes(o.status),
  done: (o) => ["filled", "canceled", "expired"].includes(o.status), rejected: (o) => o.status === "rejected",
};
OG.editing = null;  // {id, qty, limit_price, stop_price, error}: the order being modified in place

// An order seen twice keeps its latest state: a submit's answer can arrive after the stream's later events.
// A routed parent's time stays its own while its children fill it, so at an equal time the state further on
// (done over working, more filled over less) is the later one.
function isEarlier(o, seen) {
  const at = o.updated_at || "", seenAt = seen.updated_at || "";
  if (at !== seenAt) return at < seenAt;
  if (DONE.includes(seen.status) !== DONE.includes(o.status)) return DONE.includes(seen.status);
  return Number(o.filled_qty || 0) < Number(seen.filled_qty || 0);
}

OG.keepOrder = function keepOrder(o) {
  if (o.account !== OG.state.account) return;
  const seen = OG.state.orders.get(o.id);
  if (seen && isEarlier(o, seen)) return;
  OG.state.orders.set(o.id, o);
  if (o.id === OG.state.lastSubmitted) OG.showOrderStatus(o);  // the status line follows it to its end
};

OG.showOrderStatus = function showOrderStatus(o) {
  OG.message(`order ${o.id}: ${o.status}${o.reason ? ": " + o.reason : ""}`, o.status !== "rejected");
};

let ordersFrame = null;
OG.renderOrdersSoon = function renderOrdersSoon() {
  if (ordersFrame === null) ordersFrame = requestAnimationFrame(() => { ordersFrame = null; OG.renderOrders(); });
};

function button(text, action, onclick, cls) {
  return OG.el("button", { type: "button", "data-action": action, className: cls, onclick, text });
}

function editCell(name, value, disabled) {
  const input = OG.el("input", { name, value: value || "", disabled, size: 8, "aria-label": name,
    oninput: (ev) => { OG.editing[name] = ev.target.value; },
    onkeydown: (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); saveEdit(); }
      if (ev.key === "Escape") { OG.editing = null; OG.renderOrders(); }
    } });
  return OG.el("td", { className: "num" }, input);
}

// Long reasons wrap to two lines; the tooltip holds all of it.
function reasonCell(text, isError) {
  return OG.el("td", { className: "reason" + (isError ? " error" : ""), title: text || null },
    OG.el("div", { text }));
}

function orderRow(o) {
  const f = OG.fmt, s = o.symbol, editing = OG.editing && OG.editing.id === o.id;
  const open = OG.state.expanded === o.id;
  const tr = OG.el("tr", { "data-id": o.id, className: (editing ? "editing " : "") + (open ? "expanded" : ""),
    tabindex: 0, "aria-expanded": String(open), title: "click for the route decision",
    onclick: (ev) => { if (!ev.target.closest("button, input")) OG.toggleRoute(o.id); },
    onkeydown: (ev) => { if (ev.key === "Enter" && ev.target === tr) { ev.preventDefault(); OG.toggleRoute(o.id); } } });
  const reason = OG.editing && editing && OG.editing.error ? OG.editing.error : o.reason || "";
  tr.append(OG.td(f.time(o.created_at), null, o.created_at), OG.td(o.id, "id"), OG.td(s), OG.td(o.side, o.side),
    OG.td(o.type));
  if (editing) {
    tr.append(editCell("qty", OG.editing.qty), editCell("limit_price", OG.editing.limit_price, o.limit_price == null),
      editCell("stop_price", OG.editing.stop_price, o.stop_price == null));
  } else {
    tr.append(OG.td(f.qty(s, o.qty), "num"), OG.td(f.price(s, o.limit_price), "num"), OG.td(f.price(s, o.stop_price), "num"));
  }
  const pending = o.pending_replace ? ` → qty ${o.pending_replace.qty}, limit ${o.pending_replace.limit_price || "-"}` : "";
  tr.append(OG.td(o.time_in_force), OG.td(o.status, "s-" + o.status, o.status + pending), OG.td(f.qty(s, o.filled_qty), "num"),
    OG.td(f.price(s, o.avg_fill_price), "num"), reasonCell(reason, editing && OG.editing.error));
  const actions = OG.el("td", { className: "actions" });
  if (editing) {
    actions.append(button("Save", "save", saveEdit, "primary"), button("Discard", "discard", () => { OG.editing = null; OG.renderOrders(); }));
  } else if (!DONE.includes(o.status)) {
    actions.append(button("Modify", "modify", () => startEdit(o)),
      button("Cancel", "cancel", () => OG.act(() => OG.api("DELETE", `/api/v1/orders/${encodeURIComponent(o.id)}?reason=blotter`)), "danger"));
  }
  tr.append(actions);
  return tr;
}

function startEdit(o) {
  OG.editing = { id: o.id, qty: o.qty, limit_price: o.limit_price, stop_price: o.stop_price, error: null };
  OG.renderOrders();
  const input = document.querySelector(`#orders tr[data-id="${CSS.escape(o.id)}"] input[name=qty]`);
  if (input) { input.focus(); input.select(); }
}

async function saveEdit() {
  const edit = OG.editing, o = OG.state.orders.get(edit.id);
  const body = {};
  for (const k of ["qty", "limit_price", "stop_price"]) {
    const v = (edit[k] || "").trim();
    if (v !== "" && o[k] != null && OG.dec.parse(v) && OG.dec.cmp(OG.dec.parse(v), OG.dec.parse(o[k])) !== 0) body[k] = v;
    else if (v !== "" && !OG.dec.parse(v)) { edit.error = `${k}: not a number`; OG.renderOrders(); return; }
  }
  if (!Object.keys(body).length) { OG.editing = null; OG.renderOrders(); return; }
  try {
    const updated = await OG.api("PATCH", `/api/v1/orders/${encodeURIComponent(edit.id)}`, body);
    OG.editing = null;
    OG.keepOrder(updated);
    OG.message(`order ${updated.id}: ${updated.status}`, true);
  } catch (e) {
    edit.error = e.message;  // the server's reason stays in the row, the inputs as typed
  }
  OG.renderOrders();
}

OG.renderOrders = function renderOrders() {
  const body = document.querySelector("#orders tbody");
  const keep = OG.editing && body.querySelector(`tr[data-id="${CSS.escape(OG.editing.id)}"].editing`);
  const orders = [...OG.state.orders.values()].filter(FILTERS[OG.state.filter])
    .sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 300);
  // The row being edited keeps its inputs (and focus) while the others follow the stream.
  const columns = document.querySelectorAll("#orders thead th").length;
  body.replaceChildren(...orders.flatMap((o) => {
    const row = keep && o.id === OG.editing.id && !OG.editing.error ? keep : orderRow(o);
    return o.id === OG.state.expanded ? [row, OG.routeRow(o, columns)] : [row];
  }));
  const counts = {};
  for (const [name, test] of Object.entries(FILTERS)) counts[name] = [...OG.state.orders.values()].filter(test).length;
  for (const b of document.querySelectorAll("#order-filter button")) {
    b.textContent = `${b.dataset.filter} (${counts[b.dataset.filter]})`;
    b.classList.toggle("on", b.dataset.filter === OG.state.filter);
  }
};

for (const b of document.querySelectorAll("#order-filter button")) {
  b.onclick = () => { OG.state.filter = b.dataset.filter; OG.renderOrders(); };
}

let fillsFrame = null;
OG.renderFillsSoon = function renderFillsSoon() {
  if (fillsFrame === null) fillsFrame = requestAnimationFrame(() => { fillsFrame = null; OG.renderFills(); });
};

OG.renderFills = function renderFills() {
  const f = OG.fmt;
  const fills = [...OG.state.fills.values()].sort((a, b) => (b.ts || "").localeCompare(a.ts || "")).slice(0, 200);
  document.querySelector("#fills tbody").replaceChildren(...fills.map((x) => OG.el("tr", {},
    OG.td(f.time(x.ts), null, x.ts), OG.td(x.order_id, "id"), OG.td(x.symbol), OG.td(x.side, x.side),
    OG.td(f.qty(x.symbol, x.qty), "num"), OG.td(f.price(x.symbol, x.price), "num"), OG.td(f.money(x.commission), "num"),
    OG.td(x.liquidity))));
};
