// The intraday chart: candles from the bars the stream sends, drawn as SVG (no library, works offline).
"use strict";
window.OG = window.OG || {};

OG.chart = {
  interval: "1m", bars: new Map(), symbol: null,

  clear() { this.bars.clear(); this.draw(); },

  onBars(msg) {
    if (msg.snapshot || msg.symbol !== this.symbol) { this.bars.clear(); this.symbol = msg.symbol; }
    for (const b of msg.items) this.bars.set(b.start, b);
    const keys = [...this.bars.keys()].sort();
    for (const k of keys.slice(0, Math.max(0, keys.length - 240))) this.bars.delete(k);
    this.draw();
  },

  setInterval(interval) {
    this.interval = interval;
    for (const b of document.querySelectorAll("#chart-intervals button")) b.classList.toggle("on", b.dataset.interval === interval);
    this.clear();
    OG.stream.send({ op: "subscribe", channel: "bars", symbol: OG.state.selected, bar_interval: interval, limit: 120 });
  },

  draw() {
    const svg = document.querySelector("#chart");
    const width = Math.max(200, svg.clientWidth || 600), height = Math.max(120, svg.clientHeight || 220);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const bars = [...this.bars.values()].sort((a, b) => a.start.localeCompare(b.start));
    const ns = "http://www.w3.org/2000/svg";
    const make = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (text != null) n.textContent = text;
      return n;
    };
    if (!bars.length) {
      svg.replaceChildren(make("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "axis" },
        "no trades yet in this interval"));
      return;
    }
    // Floats only place pixels here; every number shown is the server's own string.
    const lows = bars.map((b) => Number(b.low)), highs = bars.map((b) => Number(b.high));
    const hiText = bars[highs.indexOf(Math.max(...highs))].high, loText = bars[lows.indexOf(Math.min(...lows))].low;
    let lo = Number(loText), hi = Number(hiText);
    if (hi === lo) { hi += 0.5; lo -= 0.5; }
    const left = 8, right = 72, top = 8, bottom = 20;
    const plotW = width - left - right, plotH = height - top - bottom;
    const y = (p) => top + (hi - Number(p)) / (hi - lo) * plotH;
    const step = plotW / Math.max(bars.length, 20);
    const nodes = [make("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, class: "grid" })];
    bars.forEach((b, i) => {
      const x = left + i * step + step / 2;
      const up = Number(b.close) >= Number(b.open);
      const g = make("g", { class: up ? "candle up" : "candle down" });
      g.append(make("title", {}, `${b.start.slice(11, 19)}  O ${b.open}  H ${b.high}  L ${b.low}  C ${b.close}  V ${b.volume}`));
      g.append(make("line", { x1: x, x2: x, y1: y(b.high), y2: y(b.low) }));
      const bodyTop = Math.min(y(b.open), y(b.close));
      g.append(make("rect", { x: x - Math.max(1, step * 0.35), y: bodyTop, width: Math.max(2, step * 0.7),
        height: Math.max(1, Math.abs(y(b.open) - y(b.close))) }));
      nodes.push(g);
    });
    const sym = bars.length ? this.symbol : null;
    const last = bars[bars.length - 1];
    const label = (text, yy, cls) => make("text", { x: width - right + 6, y: yy, class: cls || "axis" }, text);
    const lastY = y(last.close), near = (yy) => Math.abs(yy - lastY) < 14;  // no label over the last price's
    if (!near(top + 6)) nodes.push(label(OG.fmt.price(sym, hiText), top + 10));
    if (!near(top + plotH - 4)) nodes.push(label(OG.fmt.price(sym, loText), top + plotH));
    nodes.push(
      make("line", { x1: left, x2: left + plotW, y1: y(last.close), y2: y(last.close), class: "last-line" }),
      label(OG.fmt.price(sym, last.close), y(last.close) + 4, "axis last"),
      make("text", { x: left, y: height - 5, class: "axis" }, bars[0].start.slice(11, 16)),
      make("text", { x: left + plotW, y: height - 5, class: "axis", "text-anchor": "end" }, last.start.slice(11, 19)));
    svg.replaceChildren(...nodes);
  },
};
window.addEventListener("resize", () => OG.chart.draw());
