// Market panels: the watchlist, the selected symbol's depth ladder and recent trades.
"use strict";
window.OG = window.OG || {};

OG.renderWatchlist = function renderWatchlist() {
  const body = document.querySelector("#watchlist tbody");
  body.replaceChildren(...[...OG.state.instruments.keys()].map((symbol) => {
    const tr = OG.el("tr", { "data-symbol": symbol, className: symbol === OG.state.selected ? "selected" : "",
      onclick: () => OG.select(symbol) });
    OG.fillQuoteRow(tr, symbol);
    return tr;
  }));
};

OG.fillQuoteRow = function fillQuoteRow(tr, symbol) {
  const q = OG.state.quotes.get(symbol) || {};
  const f = OG.fmt;
  const pct = q.change_pct != null ? `${q.change_pct}%` : "";
  tr.replaceChildren(
    OG.td(symbol, "sym", OG.state.instruments.get(symbol).name),
    OG.td(f.price(symbol, q.bid), "num bid"), OG.td(f.price(symbol, q.ask), "num ask"),
    OG.td(f.price(symbol, q.last), "num"),
    OG.td(pct, "num " + f.signClass(q.change_pct), q.change != null ? `change ${f.price(symbol, q.change)} since the previous close ${f.price(symbol, q.previous_close)}` : null),
  );
  if (q.stale) tr.classList.add("stale"); else tr.classList.remove("stale");
};

OG.onQuote = function onQuote(q) {
  OG.state.quotes.set(q.symbol, q);
  const tr = document.querySelector(`#watchlist tr[data-symbol="${CSS.escape(q.symbol)}"]`);
  if (tr) OG.fillQuoteRow(tr, q.symbol);
  if (q.symbol === OG.state.ticketSymbol) OG.checkTicket();
};

OG.select = function select(symbol) {
  const previous = OG.state.selected;
  if (symbol === previous) return;
  OG.state.selected = symbol;
  for (const tr of document.querySelectorAll("#watchlist tr")) tr.classList.toggle("selected", tr.dataset.symbol === symbol);
  document.querySelector("#ladder tbody").replaceChildren();
  document.querySelector("#trades tbody").replaceChildren();
  for (const el of document.querySelectorAll(".selected-symbol")) el.textContent = symbol;
  OG.chart.clear();
  OG.setTicketSymbol(symbol);
  OG.stream.subscribeSelected(previous, symbol);
};

// Asks above (highest first), bids below; click a price to put it in the ticket.
OG.renderLadder = function renderLadder(book) {
  const f = OG.fmt, sym = book.symbol;
  const row = (side, level) => {
    const tr = OG.el("tr", { className: side, "data-price": level.price, "data-side": side,
      title: `click: ${side === "ask" ? "buy" : "sell"} limit at ${level.price}`,
      onclick: () => OG.ticketFromLadder(sym, side === "ask" ? "buy" : "sell", level.price) });
    tr.append(OG.td(side === "bid" ? f.qty(sym, level.size) : "", "num"), OG.td(f.price(sym, level.price), "num price"),
      OG.td(side === "ask" ? f.qty(sym, level.size) : "", "num"));
    return tr;
  };
  document.querySelector("#ladder tbody").replaceChildren(
    ...[...book.asks].reverse().map((l) => row("ask", l)), ...book.bids.map((l) => row("bid", l)));
  document.querySelector("#ladder-state").textContent = book.stale ? "stale" : "";
};

OG.onTrades = function onTrades(msg) {
  const body = document.querySelector("#trades tbody");
  if (msg.snapshot) body.replaceChildren();
  const f = OG.fmt, sym = msg.symbol;
  let previous = body.firstChild ? body.firstChild.dataset.price : null;
  for (const t of msg.items) {  // oldest first: each goes on top
    const d = previous === null ? 0 : OG.dec.cmp(OG.dec.parse(t.price), OG.dec.parse(previous));
    const tr = OG.el("tr", { "data-price": t.price, className: d > 0 ? "up" : d < 0 ? "down" : "" });
    tr.append(OG.td(f.time(t.ts)), OG.td(f.price(sym, t.price), "num"), OG.td(f.qty(sym, t.size), "num"));
    body.prepend(tr);
    previous = t.price;
  }
  while (body.children.length > 30) body.lastChild.remove();
};
