// The WebSocket: order events (resumed after a reconnect from the last sequence number seen) and market data.
"use strict";
window.OG = window.OG || {};

OG.stream = {
  ws: null, lastSeq: null, attempt: 0, loaded: false,
  stats: { connects: 0, resumed: 0, resyncs: 0, replayed: 0 },

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    // Resume from the last event seen: the server sends what was missed first, each event once.
    const query = new URLSearchParams({ account: OG.state.account });
    if (this.lastSeq !== null) query.set("since", this.lastSeq);
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/stream?${query}`);
    this.ws = ws;
    this.resuming = this.lastSeq !== null;
    ws.onopen = () => ws.send(JSON.stringify({ auth: OG.state.key }));  // never the key in a URL
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.badge("reconnecting", "off");
      // Back off 0.5 s, 1 s, 2 s ... up to 5 s; no limit on tries: the desk stays open all day.
      const delay = Math.min(5000, 500 * 2 ** this.attempt++);
      setTimeout(() => this.connect(), delay);
    };
    ws.onmessage = (ev) => this.onMessage(JSON.parse(ev.data));
  },

  // Another account: a fresh stream of its events, and its state over REST.
  restart() {
    const old = this.ws;
    this.ws = null;
    if (old) old.close();
    this.lastSeq = null;
    this.loaded = false;
    this.connect();
  },

  badge(text, cls) {
    const b = document.querySelector("#conn");
    b.textContent = text;
    b.className = "badge " + cls;
  },

  send(command) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(command));
  },

  // Market data for the watchlist (every symbol) and for the selected symbol (book, trades, bars).
  subscribeMarket() {
    for (const symbol of OG.state.instruments.keys()) {
      this.send({ op: "subscribe", channel: "quotes", symbol, interval: 0.5 });
    }
    this.subscribeSelected(null, OG.state.selected);
  },

  subscribeSelected(previous, symbol) {
    if (previous) {
      for (const channel of ["book", "trades", "bars"]) this.send({ op: "unsubscribe", channel, symbol: previous });
    }
    this.send({ op: "subscribe", channel: "book", symbol, depth: 10, interval: 0.25 });
    this.send({ op: "subscribe", channel: "trades", symbol, limit: 30 });
    this.send({ op: "subscribe", channel: "bars", symbol, bar_interval: OG.chart.interval, limit: 120 });
  },

  onMessage(msg) {
    if (typeof msg.seq === "number") {
      this.lastSeq = Math.max(this.lastSeq || 0, msg.seq);
      if (this.resuming) this.stats.replayed++;
    }
    switch (msg.type) {
      case "hello": return this.onHello(msg);
      case "resync": this.stats.resyncs++; this.loaded = false; return;
      case "order": OG.keepOrder(msg.order); OG.renderOrdersSoon(); OG.refreshPortfolioSoon(); return;
      case "fill": OG.state.fills.set(msg.fill.fill_id, { ts: msg.ts, ...msg.fill }); OG.renderFillsSoon(); return;
      case "position": OG.state.positions.set(msg.position.symbol, msg.position); OG.refreshPortfolioSoon(); return;
      case "account": OG.refreshPortfolioSoon(); return;
      case "quote": OG.onQuote(msg); return;
      case "book": if (msg.symbol === OG.state.selected) OG.renderLadder(msg); return;
      case "trades": if (msg.symbol === OG.state.selected) OG.onTrades(msg); return;
      case "bars": if (msg.symbol === OG.state.selected) OG.chart.onBars(msg); return;
      case "error": OG.message(`stream: ${msg.field}: ${msg.message}`, false); return;
      default: return;
    }
  },

  onHello(msg) {
    this.stats.connects++;
    if (this.resuming) this.stats.resumed++;
    this.resuming = false;
    this.attempt = 0;
    if (this.lastSeq === null) this.lastSeq = msg.last_seq;
    this.badge("live", "on");
    this.subscribeMarket();
    if (!this.loaded) {  // first connect, or the server no longer had what was missed: take it all over REST
      this.loaded = true;
      OG.act(OG.reload);
    }
  },
};
