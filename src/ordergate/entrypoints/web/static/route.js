// An order's route decision, shown under its row when the row is selected (click or Enter).
"use strict";
window.OG = window.OG || {};
OG.state.routes = new Map();  // order id -> the route answer, or {error}; asked again each time it is opened
OG.state.expanded = null;     // the order whose route is shown

// Select an order (or unselect it) and fetch its route decision the first time.
OG.toggleRoute = async function toggleRoute(id) {
  OG.state.expanded = OG.state.expanded === id ? null : id;
  OG.renderOrders();
  // the decision never changes, but its children do (fills, a failover): ask again on every opening
  if (OG.state.expanded === null) return;
  try {
    OG.state.routes.set(id, await OG.api("GET", `/api/v1/orders/${encodeURIComponent(id)}/route`));
  } catch (e) {
    OG.state.routes.set(id, { error: e.message });
  }
  OG.renderOrders();
};

const pct = (rate) => rate == null ? "–" : (rate * 100).toFixed(1) + "%";
const ms = (value) => value == null ? "–" : value.toFixed(1);

function candidateRow(symbol, c, chosen) {
  const f = OG.fmt;
  const levels = (c.levels || []).map(([p, q]) => `${f.qty(symbol, q)} @ ${f.price(symbol, p)}`).join(", ");
  return OG.el("tr", { className: chosen ? "chosen" : "" },
    OG.td(c.venue + (chosen ? " ✓" : "")), OG.td(c.health), OG.td(c.eligible ? "yes" : "no"),
    OG.td(f.qty(symbol, c.fillable), "num"), OG.td(f.price(symbol, c.avg_price), "num"),
    OG.td(f.money(c.fees), "num"), OG.td(f.price(symbol, c.all_in), "num"), OG.td(ms(c.ack_latency_ms), "num"),
    OG.td(pct(c.fill_rate), "num"), OG.td(pct(c.reject_rate), "num"), OG.td(c.slippage_bps, "num"),
    OG.td(levels || "–"), OG.td(c.note || ""));
}

const HEAD = ["Venue", "State", "Eligible", "Fillable", "Avg price", "Fees", "All-in", "Ack ms", "Fill rate",
  "Reject rate", "Slippage bps", "Levels walked", "Note"];

function childRow(symbol, c) {
  const f = OG.fmt;
  return OG.el("tr", {},
    OG.td(c.id), OG.td(c.venue), OG.td(c.type), OG.td(c.time_in_force), OG.td(f.qty(symbol, c.qty), "num"),
    OG.td(f.price(symbol, c.limit_price), "num"), OG.td(c.status), OG.td(f.qty(symbol, c.filled_qty), "num"),
    OG.td(f.price(symbol, c.avg_fill_price), "num"), OG.td(c.reason || ""));
}

const CHILD_HEAD = ["Child order", "Venue", "Type", "TIF", "Qty", "Limit", "Status", "Filled", "Avg price", "Reason"];

// The detail row under an order: where it went and why.
OG.routeRow = function routeRow(o, columns) {
  const route = OG.state.routes.get(o.id);
  const cell = OG.el("td", { colspan: columns, className: "route" });
  if (!route) cell.append(OG.el("p", { className: "muted", text: "loading the route decision…" }));
  else if (route.error) cell.append(OG.el("p", { className: "error", text: `route: ${route.error}` }));
  else if (route.policy == null) {
    cell.append(OG.el("p", { text: `routed to ${route.venue || o.venue} (its instrument trades at this venue only)` }));
  } else {
    cell.append(OG.el("p", {}, "routed to ", OG.el("b", { text: route.venue }), ` by policy `,
      OG.el("b", { text: route.policy }), ` from ${route.candidates.length} candidate venue(s)`));
    const table = OG.el("table", { className: "candidates" },
      OG.el("thead", {}, OG.el("tr", {}, ...HEAD.map((h) => OG.el("th", { text: h })))),
      OG.el("tbody", {}, ...route.candidates.map((c) => candidateRow(o.symbol, c, c.venue === route.venue))));
    cell.append(table);
    const children = route.children || [];
    cell.append(OG.el("p", { text: `${children.length} child order(s) at venues` }));
    if (children.length) {
      cell.append(OG.el("table", { className: "children" },
        OG.el("thead", {}, OG.el("tr", {}, ...CHILD_HEAD.map((h) => OG.el("th", { text: h })))),
        OG.el("tbody", {}, ...children.map((c) => childRow(o.symbol, c)))));
    }
  }
  return OG.el("tr", { className: "route-row", "data-route-for": o.id }, cell);
};
