// Exact decimal arithmetic on the API's decimal strings (BigInt, never floats) and number formatting.
"use strict";
window.OG = window.OG || {};

OG.dec = (() => {
  // A decimal is {n: BigInt, s: scale}: value = n / 10^s.
  function parse(text) {
    const str = String(text).trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(str)) return null;
    const neg = str.startsWith("-");
    const body = str.replace(/^[-+]/, "");
    const [int, frac = ""] = body.split(".");
    const n = BigInt((int || "0") + frac) * (neg ? -1n : 1n);
    return { n, s: frac.length };
  }
  const pow = (s) => 10n ** BigInt(s);
  function align(a, b) {
    const s = Math.max(a.s, b.s);
    return [a.n * pow(s - a.s), b.n * pow(s - b.s), s];
  }
  function add(a, b) { const [x, y, s] = align(a, b); return { n: x + y, s }; }
  function sub(a, b) { const [x, y, s] = align(a, b); return { n: x - y, s }; }
  function mul(a, b) { return { n: a.n * b.n, s: a.s + b.s }; }
  function cmp(a, b) { const [x, y] = align(a, b); return x < y ? -1 : x > y ? 1 : 0; }
  // Whether a is a whole multiple of step (both decimals; step > 0).
  function multipleOf(a, step) { const [x, y] = align(a, step); return y !== 0n && x % y === 0n; }
  // Round half away from zero to `places` decimals.
  function round(a, places) {
    if (a.s <= places) return { n: a.n * pow(places - a.s), s: places };
    const d = pow(a.s - places);
    const q = a.n / d, r = a.n % d;
    const half = (r < 0n ? -r : r) * 2n >= d;
    return { n: half ? q + (a.n < 0n ? -1n : 1n) : q, s: places };
  }
  function str(a) {
    const neg = a.n < 0n;
    let digits = (neg ? -a.n : a.n).toString().padStart(a.s + 1, "0");
    const out = a.s ? digits.slice(0, -a.s) + "." + digits.slice(-a.s) : digits;
    return (neg && a.n !== 0n ? "-" : "") + out;
  }
  const ZERO = { n: 0n, s: 0 };
  return { parse, add, sub, mul, cmp, multipleOf, round, str, ZERO };
})();

OG.fmt = (() => {
  const places = (step) => { const p = String(step).split(".")[1]; return p ? p.replace(/0+$/, "").length : 0; };
  // "1234567.5" -> "1,234,567.5" (the string keeps its digits: no rounding, no float).
  function group(text) {
    if (text == null || text === "") return "";
    const m = /^(-?)(\d+)(\.\d+)?$/.exec(String(text));
    if (!m) return String(text);
    return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] || "");
  }
  // Pad (never cut) to at least `min` decimals.
  function pad(text, min) {
    const d = OG.dec.parse(text);
    if (d === null) return text == null ? "" : String(text);
    return OG.dec.str(d.s >= min ? d : OG.dec.round(d, min));
  }
  const inst = (symbol) => OG.state.instruments.get(symbol);
  const price = (symbol, text) => text == null ? "" : group(pad(text, inst(symbol) ? places(inst(symbol).tick_size) : 2));
  const qty = (symbol, text) => text == null ? "" : group(pad(text, inst(symbol) ? places(inst(symbol).lot_size) : 0));
  const money = (text) => text == null ? "" : group(pad(text, 2));
  const signClass = (text) => { const d = OG.dec.parse(text); return !d || d.n === 0n ? "" : d.n > 0n ? "up" : "down"; };
  const time = (iso) => iso ? iso.slice(11, 19) : "";
  return { places, group, pad, price, qty, money, signClass, time };
})();
