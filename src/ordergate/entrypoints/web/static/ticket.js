// The order ticket: checks against the instrument's tick and lot before sending, notional shown, the
// server's answer (or refusal) in place. Enter sends.
"use strict";
window.OG = window.OG || {};
const form = () => document.querySelector("#order-form");
const NEEDS_LIMIT = ["limit", "stop_limit"], NEEDS_STOP = ["stop", "stop_limit"];

OG.initTicket = function initTicket() {
  const f = form();
  f.symbol.replaceChildren(...[...OG.state.instruments.values()].map((i) => new Option(`${i.symbol} (${i.currency})`, i.symbol)));
  OG.setTicketSymbol(OG.state.selected);
  OG.ticketAccount();
  f.oninput = () => OG.checkTicket();
  f.onchange = (ev) => { if (ev.target.name === "symbol") OG.setTicketSymbol(ev.target.value, true); OG.checkTicket(); };
  f.onkeydown = (ev) => { if (ev.key === "Escape") OG.clearTicketErrors(); };
};

OG.ticketAccount = function ticketAccount() { form().account.value = OG.state.account; };

OG.setTicketSymbol = function setTicketSymbol(symbol, fromTicket) {
  OG.state.ticketSymbol = symbol;
  form().symbol.value = symbol;
  const inst = OG.state.instruments.get(symbol);
  document.querySelector("#ticket-grid").textContent = inst ? `tick ${inst.tick_size} · lot ${inst.lot_size} · ${inst.currency}` : "";
  if (fromTicket && symbol !== OG.state.selected) OG.select(symbol);
  OG.checkTicket();
};

OG.ticketFromLadder = function ticketFromLadder(symbol, side, price) {
  const f = form();
  OG.setTicketSymbol(symbol);
  f.side.value = side;
  if (!NEEDS_LIMIT.includes(f.type.value)) f.type.value = "limit";
  f.limit_price.value = price;
  OG.checkTicket();
  f.qty.focus();
};

OG.clearTicketErrors = function clearTicketErrors() {
  for (const e of document.querySelectorAll("#order-form .field-error")) e.textContent = "";
  for (const i of document.querySelectorAll("#order-form .invalid")) i.classList.remove("invalid");
};

function showFieldErrors(errors) {
  OG.clearTicketErrors();
  for (const [name, text] of Object.entries(errors)) {
    const slot = document.querySelector(`#order-form .field-error[data-for="${name}"]`);
    if (slot) slot.textContent = text;
    const input = form().elements[name];
    if (input) input.classList.add("invalid");
  }
}

// Return {errors, body, notional} for what the ticket holds now; show the notional and the errors.
OG.checkTicket = function checkTicket() {
  const f = form(), D = OG.dec;
  const inst = OG.state.instruments.get(f.symbol.value);
  const type = f.type.value, errors = {};
  f.limit_price.disabled = !NEEDS_LIMIT.includes(type);
  f.stop_price.disabled = !NEEDS_STOP.includes(type);
  f.expire_at.disabled = f.time_in_force.value !== "gtd";
  const qty = D.parse(f.qty.value);
  if (!inst) errors.symbol = "choose an instrument";
  if (qty === null || qty.n <= 0n) errors.qty = "a positive number";
  else if (inst && !D.multipleOf(qty, D.parse(inst.lot_size))) errors.qty = `whole lots of ${inst.lot_size}`;
  const priceCheck = (name, needed) => {
    if (!needed) return null;
    const p = D.parse(f.elements[name].value);
    if (p === null || p.n <= 0n) { errors[name] = "a positive price"; return null; }
    if (inst && !D.multipleOf(p, D.parse(inst.tick_size))) errors[name] = `on the tick of ${inst.tick_size}`;
    return p;
  };
  const limit = priceCheck("limit_price", NEEDS_LIMIT.includes(type));
  const stop = priceCheck("stop_price", NEEDS_STOP.includes(type));
  if (f.time_in_force.value === "gtd" && !f.expire_at.value) errors.expire_at = "an expiry time for gtd";
  const q = OG.state.quotes.get(f.symbol.value) || {};
  const reference = limit || stop || D.parse((f.side.value === "buy" ? q.ask : q.bid) || "");
  const notional = qty && reference && !errors.qty ? D.round(D.mul(qty, reference), 2) : null;
  document.querySelector("#notional").textContent = notional
    ? `${limit || stop ? "" : "≈ "}${OG.fmt.money(D.str(notional))} ${inst ? inst.currency : ""}` : "–";
  const bp = inst && OG.state.balances[inst.currency];
  document.querySelector("#ticket-bp").textContent = bp ? `${OG.fmt.money(bp.buying_power)} ${inst.currency}` : "–";
  showFieldErrors(errors);
  const body = {};
  for (const el of f.elements) if (el.name && !el.disabled && el.value !== "") body[el.name] = el.value.trim();
  return { errors, body };
};

function submitTicket(ev) {
  ev.preventDefault();
  const { errors, body } = OG.checkTicket();
  if (Object.keys(errors).length) {
    OG.message("not sent: " + Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join("; "), false);
    return;
  }
  OG.act(async () => {
    try {
      const o = await OG.api("POST", "/api/v1/orders/", body);
      OG.state.lastSubmitted = o.id;
      OG.keepOrder(o);
      OG.showOrderStatus(OG.state.orders.get(o.id) || o);  // the stream may already have brought later news
      OG.renderOrders();
    } catch (e) {
      OG.state.lastSubmitted = null;
      const fields = {};
      OG.describe(e.data, e.status, fields);
      showFieldErrors(Object.fromEntries(Object.entries(fields).filter(([, v]) => v)));
      throw e;
    }
  });
}

document.querySelector("#order-form").addEventListener("submit", submitTicket);
