// Positions (market value, P&L, totals per currency), the account's cash and buying power, and the two
// big buttons: Cancel all and the kill switch, each behind a confirmation.
"use strict";
window.OG = window.OG || {};

OG.refreshPortfolio = async function refreshPortfolio() {
  const account = encodeURIComponent(OG.state.account);
  const [acct, positions] = await Promise.all([
    OG.api("GET", `/api/v1/accounts/${account}`), OG.api("GET", `/api/v1/positions/?account=${account}`),
  ]);
  OG.state.balances = acct.balances;
  OG.state.positions = new Map(positions.map((p) => [p.symbol, p]));
  OG.renderAccount();
  OG.renderPositions();
  OG.checkTicket();
  OG.api("GET", "/api/v1/orders/risk/metrics").then((m) => {
    const own = m.accounts && m.accounts[OG.state.account];
    OG.renderTradingState(own ? own.trading_state : m.firm_trading_state);
  }).catch(() => {});  // a key without the right to see risk metrics still trades
};

// Many events arrive at once (an order, its fills, its position): one refresh per burst.
let portfolioTimer = null;
OG.refreshPortfolioSoon = function refreshPortfolioSoon() {
  if (portfolioTimer !== null) return;
  portfolioTimer = setTimeout(() => { portfolioTimer = null; OG.act(OG.refreshPortfolio); }, 150);
};
// Marks move with the market: revalue every few seconds while the page is open.
setInterval(() => { if (OG.stream.loaded && document.visibilityState === "visible") OG.refreshPortfolioSoon(); }, 3000);

// One column per currency, one row per figure: fits the narrow column beside the ticket.
OG.renderAccount = function renderAccount() {
  const f = OG.fmt, currencies = Object.keys(OG.state.balances);
  const figures = [["Cash", "cash"], ["Reserved", "reserved"], ["Buying power", "buying_power"],
    ["Positions", "positions_value"], ["Equity", "equity"]];
  document.querySelector("#account thead").replaceChildren(OG.el("tr", {}, OG.el("th", { text: "" }),
    ...currencies.map((c) => OG.el("th", { text: c }))));
  document.querySelector("#account tbody").replaceChildren(...figures.map(([label, key]) =>
    OG.el("tr", { className: key === "buying_power" ? "strong" : "" }, OG.td(label),
      ...currencies.map((c) => OG.td(f.money(OG.state.balances[c][key]), "num")))));
};

OG.renderPositions = function renderPositions() {
  const f = OG.fmt, D = OG.dec;
  const positions = [...OG.state.positions.values()].filter((p) => p.qty !== "0" || p.realized_pnl !== "0.00")
    .sort((a, b) => a.currency.localeCompare(b.currency) || a.symbol.localeCompare(b.symbol));
  const totals = new Map();
  const rows = positions.map((p) => {
    const t = totals.get(p.currency) || { value: D.ZERO, unrealized: D.ZERO, realized: D.ZERO, net: D.ZERO };
    for (const [k, field] of [["value", "market_value"], ["unrealized", "unrealized_pnl"], ["realized", "realized_pnl"], ["net", "net_pnl"]]) {
      const d = D.parse(p[field] || "0");
      if (d) t[k] = D.add(t[k], d);
    }
    totals.set(p.currency, t);
    return OG.el("tr", {}, OG.td(p.symbol), OG.td(f.qty(p.symbol, p.qty), "num " + (p.side === "short" ? "sell" : "")),
      OG.td(f.price(p.symbol, p.avg_cost), "num"), OG.td(f.price(p.symbol, p.mark_price), "num"),
      OG.td(f.money(p.market_value), "num"), OG.td(f.money(p.unrealized_pnl), "num " + f.signClass(p.unrealized_pnl)),
      OG.td(f.money(p.realized_pnl), "num " + f.signClass(p.realized_pnl)), OG.td(f.money(p.net_pnl), "num " + f.signClass(p.net_pnl)),
      OG.td(p.currency));
  });
  const totalRows = [...totals.entries()].map(([cur, t]) => {
    const s = (d) => D.str(D.round(d, 2));
    return OG.el("tr", { className: "total" }, OG.td(`Total ${cur}`), OG.td(""), OG.td(""), OG.td(""),
      OG.td(f.money(s(t.value)), "num"), OG.td(f.money(s(t.unrealized)), "num " + f.signClass(s(t.unrealized))),
      OG.td(f.money(s(t.realized)), "num " + f.signClass(s(t.realized))), OG.td(f.money(s(t.net)), "num " + f.signClass(s(t.net))),
      OG.td(cur));
  });
  document.querySelector("#positions tbody").replaceChildren(...rows);
  document.querySelector("#positions tfoot").replaceChildren(...totalRows);
};

OG.renderTradingState = function renderTradingState(tradingState) {
  OG.state.tradingState = tradingState;
  const badge = document.querySelector("#trading-state");
  badge.textContent = `trading ${tradingState}`;
  badge.className = "badge " + (tradingState === "active" ? "on" : "off");
  document.querySelector("#resume").hidden = tradingState === "active";
};

document.querySelector("#cancel-all").onclick = () => OG.act(async () => {
  const working = [...OG.state.orders.values()].filter((o) => !["filled", "canceled", "rejected", "expired"].includes(o.status));
  const yes = await OG.confirm("Cancel all orders?", `Cancel every working order of ${OG.state.account} ` +
    `(${working.length} shown here). Orders already filled stay filled.`, "Cancel all orders");
  if (!yes) { OG.message("nothing canceled", true); return; }
  const r = await OG.api("POST", "/api/v1/orders/cancel-all", { account: OG.state.account, reason: "cancel all from the blotter" });
  OG.message(`cancel requested for ${r.count} order(s)`, true);
});

document.querySelector("#kill").onclick = () => OG.act(async () => {
  const yes = await OG.confirm("Engage the kill switch?", `Halt trading for ${OG.state.account}: every working order is ` +
    "canceled and new orders are refused until someone resumes trading.", "Halt trading");
  if (!yes) { OG.message("kill switch not engaged", true); return; }
  const r = await OG.api("POST", "/api/v1/risk/kill-switch", { account: OG.state.account, reason: "kill switch from the blotter" });
  OG.renderTradingState(r.trading_state);
  OG.message(`trading ${r.trading_state}: ${r.canceled.length} order(s) canceled`, true);
});

document.querySelector("#resume").onclick = () => OG.act(async () => {
  const r = await OG.api("POST", "/api/v1/risk/resume", { account: OG.state.account, reason: "resumed from the blotter" });
  OG.renderTradingState(r.trading_state);
  OG.message(`trading ${r.trading_state}`, true);
});
