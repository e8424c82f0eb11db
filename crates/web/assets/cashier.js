// The cashier screen. The server prices everything (POST /api/v1/orders/preview) and records
// the sale (POST /api/v1/orders, with an idempotency key per cart); this script only keeps the
// cart, shows live remaining places and sends what the cashier picked.
(function () {
  "use strict";
  const dataEl = document.getElementById("cashier-data");
  if (!dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  const T = data.text;
  const $ = (s) => document.querySelector(s);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    if (text !== undefined) e.textContent = text;
    return e;
  };
  // Amounts as the page's language writes them (crates/integrations i18n::money_text):
  // "8,50 €" in French and English, "€ 1.234,50" in Dutch.
  const dutch = document.documentElement.lang === "nl";
  // Always two decimals; a minus sign only below zero (never "-0,00", even for -0).
  const typed = (c) => {
    const a = Math.abs(Math.round(c || 0));
    const sign = c < 0 && a > 0 ? "-" : "";
    return sign + Math.floor(a / 100) + "," + String(a % 100).padStart(2, "0");
  };
  const money = (c) => {
    if (!dutch) return typed(c) + " €";
    const a = Math.abs(Math.round(c || 0));
    const whole = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return "€ " + (c < 0 && a > 0 ? "-" : "") + whole + "," + String(a % 100).padStart(2, "0");
  };
  const cents = (s) => {
    const t = String(s || "").replace("€", "").replace(",", ".").trim();
    if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
    const [w, f = ""] = t.split(".");
    return parseInt(w, 10) * 100 + parseInt((f + "00").slice(0, 2), 10);
  };
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const newKey = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random());
  const timeOf = (micros) =>
    new Date(micros / 1000).toLocaleTimeString("fr-BE", { hour: "2-digit", minute: "2-digit", timeZone: data.time_zone });

  const state = { offer: null, session: null, sessions: [], qty: {}, lines: [], payments: [], method: null, key: newKey(), preview: null, customer: null };

  // ------------------------------------------------------------------ offers and sessions
  const offersOf = (group) => data.catalogue.offers.filter((o) => (group ? o.group_id === group : !data.catalogue.groups.some((g) => g.id === o.group_id)));
  function renderTabs() {
    const tabs = $("#offer-tabs");
    tabs.textContent = "";
    const groups = data.catalogue.groups.filter((g) => offersOf(g.id).length > 0);
    const all = groups.map((g) => [g.id, g.name]);
    if (offersOf(null).length > 0) all.push([null, groups.length ? T["register-other-offers"] : ""]);
    // One tab needs no tab bar.
    tabs.hidden = all.length < 2;
    all.forEach(([id, name], i) => {
      const b = el("button", { type: "button", class: i === 0 ? "active" : "", role: "tab" }, name);
      b.addEventListener("click", () => {
        tabs.querySelectorAll("button").forEach((x) => x.classList.remove("active"));
        b.classList.add("active");
        renderOffers(id);
      });
      tabs.appendChild(b);
    });
    renderOffers(all.length ? all[0][0] : null);
  }
  function renderOffers(group) {
    const box = $("#offers");
    box.textContent = "";
    for (const o of offersOf(group)) {
      const b = el("button", { type: "button", class: "offer" + (state.offer && state.offer.id === o.id ? " active" : ""), "data-offer": o.id }, o.name);
      b.addEventListener("click", () => selectOffer(o));
      box.appendChild(b);
    }
  }
  function selectOffer(o) {
    state.offer = o;
    state.qty = {};
    document.querySelectorAll("#offers .offer").forEach((b) => b.classList.toggle("active", b.dataset.offer === o.id));
    $("#offer-panel").hidden = false;
    $("#offer-name").textContent = o.name;
    renderQuantities();
    loadSessions();
  }
  // The register's last moment to sell a session, as the server computes it
  // (domain sale::sales_deadline): its start less the cut-off, plus the offer's late entry.
  const deadline = (offer, s) => s.start - offer.pos_cutoff_hours * 3600e6 + offer.late_entry_minutes * 60e6;
  // Why a session cannot be sold now, or null.
  function sessionRefusal(s, now) {
    if (s.closed) return T["planning-closed"];
    if (s.stopped) return T["planning-stopped"];
    if (now > deadline(state.offer, s)) return s.start <= now ? T["cashier-started"] : T["cashier-sales-closed"];
    if (s.remaining <= 0) return T["cashier-full"];
    return null;
  }
  async function loadSessions() {
    const box = $("#sessions");
    const offer = state.offer;
    if (!offer) return;
    const d = $("#visit-date").value;
    const r = await fetch(`/api/v1/offers/${offer.id}/availability?from=${d}&to=${d}`, { credentials: "same-origin" });
    if (!r.ok) return showProblem(await r.json().catch(() => ({})));
    const av = await r.json();
    if (state.offer !== offer) return;
    const kept = state.session ? state.session.start : null;
    state.sessions = av.sessions;
    state.session = null;
    box.textContent = "";
    const now = Date.now() * 1000;
    for (const s of av.sessions) {
      const refusal = sessionRefusal(s, now);
      let label = refusal || `${s.remaining} / ${s.capacity}`;
      // Late entry: started, still sold until the offer's tolerance runs out.
      if (!refusal && s.start <= now) label = T["cashier-late-entry"].replace("%s", timeOf(deadline(offer, s))) + ` · ${s.remaining} / ${s.capacity}`;
      const b = el("button", { type: "button", class: "session" + (s.start <= now ? " started" : ""), role: "option", "data-start": String(s.start) });
      b.appendChild(el("strong", {}, s.time));
      b.appendChild(el("span", {}, label));
      b.disabled = refusal !== null;
      b.addEventListener("click", () => selectSession(s));
      box.appendChild(b);
    }
    const open = av.sessions.filter((s) => sessionRefusal(s, now) === null);
    const next = open.find((s) => s.start === kept) || open.find((s) => s.start >= now) || open[0];
    if (next) selectSession(next);
    sessionNote(av.sessions, now);
  }
  // When no session can be chosen, say why rather than "no session that day".
  function sessionNote(sessions, now) {
    const note = $("#session-note");
    note.hidden = !!state.session;
    if (state.session) return;
    const n = sessions.length;
    const started = sessions.filter((s) => s.start <= now).length;
    let text;
    if (!n) text = T["cashier-no-session"];
    else if (started === n) text = n === 1 ? T["cashier-one-started"] : T["cashier-all-started"].replace("%n", n);
    else text = n === 1 ? T["cashier-none-on-sale-one"] : T["cashier-none-on-sale"].replace("%n", n);
    note.textContent = text;
  }
  function selectSession(s) {
    state.session = s;
    document.querySelectorAll("#sessions .session").forEach((b) => {
      const on = b.dataset.start === String(s.start);
      b.setAttribute("aria-selected", on ? "true" : "false");
      // The row scrolls sideways: the chosen session comes first in view.
      if (on) b.parentElement.scrollLeft = Math.max(0, b.offsetLeft - 8);
    });
    $("#session-note").hidden = true;
    checkPlaces();
  }
  // Places a session still has for this cart: its remaining places less the tickets (not the
  // extras) already in the cart for it.
  const isTicket = (offerId, itemId) => {
    const o = data.catalogue.offers.find((x) => x.id === offerId);
    const p = o && o.prices.find((x) => x.item_id === itemId);
    return !!p && !p.extra;
  };
  const inCart = (offerId, start, except) =>
    state.lines.filter((l) => l !== except && l.offer_id === offerId && l.session_start === start && isTicket(l.offer_id, l.item_id)).reduce((n, l) => n + l.quantity, 0);
  const placesLeft = (offerId, start, except) => {
    const s = state.sessions.find((x) => x.start === start);
    return s && state.offer && state.offer.id === offerId ? s.remaining - inCart(offerId, start, except) : Infinity;
  };
  // The quantities typed for the chosen session, checked as they are typed: more tickets than
  // places left is refused at once (the field is marked and "add" does nothing).
  function checkPlaces() {
    if (!state.offer || !state.session) return true;
    const wanted = state.offer.prices.filter((p) => !p.extra).reduce((n, p) => n + (state.qty[p.item_id] || 0), 0);
    const left = placesLeft(state.offer.id, state.session.start);
    const over = wanted > left;
    document.querySelectorAll("#quantities tr").forEach((tr) => tr.classList.toggle("over", over && !tr.dataset.extra && (state.qty[tr.dataset.item] || 0) > 0));
    $("#add-tickets").disabled = over;
    const note = $("#session-note");
    if (over) {
      note.textContent = T["cashier-places-only"].replace("%n", Math.max(0, left));
      note.hidden = false;
    } else if (state.session) note.hidden = true;
    return !over;
  }
  function renderQuantities() {
    const body = $("#quantities tbody");
    body.textContent = "";
    for (const p of state.offer.prices) {
      const tr = el("tr", { "data-item": p.item_id });
      if (p.extra) tr.dataset.extra = "1";
      tr.appendChild(el("td", {}, p.name));
      tr.appendChild(el("td", { class: "num" }, money(p.price_cents)));
      const td = el("td", { class: "num stepper" });
      const minus = el("button", { type: "button", class: "secondary", ariaLabel: "-" }, "−");
      const input = el("input", { inputMode: "numeric", value: "0", className: "qty", "data-item": p.item_id });
      input.setAttribute("aria-label", p.name);
      const plus = el("button", { type: "button", class: "secondary", ariaLabel: "+" }, "+");
      const set = (n, typing) => {
        state.qty[p.item_id] = Math.max(0, n);
        if (!typing) input.value = String(state.qty[p.item_id]);
        checkPlaces();
      };
      minus.addEventListener("click", () => set((state.qty[p.item_id] || 0) - 1));
      plus.addEventListener("click", () => set((state.qty[p.item_id] || 0) + 1));
      input.addEventListener("input", () => set(parseInt(input.value, 10) || 0, true));
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addTickets(); } });
      td.append(minus, input, plus);
      tr.appendChild(td);
      body.appendChild(tr);
    }
    checkPlaces();
  }
  function addTickets() {
    if (!state.offer) return;
    if (!state.session) return message($("#session-note").textContent || T["cashier-no-session"]);
    if (!checkPlaces()) return;
    for (const p of state.offer.prices) {
      const q = state.qty[p.item_id] || 0;
      if (q <= 0) continue;
      const same = state.lines.find((l) => l.offer_id === state.offer.id && l.session_start === state.session.start && l.item_id === p.item_id && !l.free && !l.unit_price);
      if (same) same.quantity += q;
      else state.lines.push({ offer_id: state.offer.id, session_start: state.session.start, item_id: p.item_id, quantity: q, label: p.name, detail: `${state.offer.name} · ${state.session.time}` });
    }
    state.qty = {};
    renderQuantities();
    refresh();
  }

  // ------------------------------------------------------------------ shop products
  function renderProducts() {
    const box = $("#product-grid");
    box.textContent = "";
    const q = fold($("#product-search").value.trim());
    const words = q.split(/\s+/).filter(Boolean);
    let group;
    const grouped = data.catalogue.products.some((p) => p.group);
    for (const p of data.catalogue.products) {
      if (words.some((w) => !p.search.includes(w))) continue;
      // Products come in group order: a heading starts each group.
      if (p.group !== group) {
        group = p.group;
        if (group || grouped) box.appendChild(el("h3", { class: "product-group" }, group || T["register-other-products"]));
      }
      const b = el("button", { type: "button", class: "product", "data-product": p.id });
      b.appendChild(el("strong", {}, p.name));
      b.appendChild(el("span", {}, money(p.price_cents) + (p.stock !== null ? ` · ${p.stock}` : "")));
      b.addEventListener("click", () => addProduct(p));
      box.appendChild(b);
    }
  }
  function addProduct(p) {
    const same = state.lines.find((l) => l.product_id === p.id && !l.free && !l.unit_price);
    if (same) same.quantity += 1;
    else state.lines.push({ product_id: p.id, quantity: 1, label: p.name });
    refresh();
  }
  function scan(code) {
    const c = code.trim();
    if (!c) return;
    const p = data.catalogue.products.find((x) => x.barcode === c || (x.reference && x.reference === c));
    if (p) addProduct(p);
    else message(`${T["cashier-unknown-barcode"]} ${c}`);
  }
  // The catalogue as it is now: stock changes with every sale, here and at other registers.
  async function reloadCatalogue() {
    const r = await fetch("/register/catalogue", { credentials: "same-origin" });
    if (!r.ok) return;
    data.catalogue = await r.json();
    renderProducts();
    if (state.offer) state.offer = data.catalogue.offers.find((o) => o.id === state.offer.id) || state.offer;
  }

  // ------------------------------------------------------------------ cart and payments
  const register = () => $("#register").value;
  const apiLine = (l) => {
    const o = { quantity: l.quantity };
    for (const k of ["offer_id", "session_start", "item_id", "product_id", "unit_price", "price_reason", "free_reason"]) if (l[k] !== undefined) o[k] = l[k];
    if (l.free) o.free = true;
    return o;
  };
  const hasVisit = () => state.lines.some((l) => l.offer_id);
  const origin = () => {
    if (!hasVisit()) return null;
    const country = $("#o-country").value || $("#o-other").value.trim().toUpperCase();
    const postal = $("#o-postal").value.trim();
    const province = $("#o-province").value;
    // Nothing typed: the attached customer's origin applies (or none).
    if (!postal && !province && state.customer && country === "BE") return null;
    return { country, postal_code: country === "NL" ? "" : postal, province: country === "NL" ? province : "" };
  };
  // The lines the server is asked to price: all of them but those it refused.
  const sellable = () => state.lines.filter((l) => !l.refused);
  const body = (extra) => Object.assign({
    register_id: register(),
    customer_id: state.customer ? state.customer.id : null,
    promo_code: $("#promo-code").value.trim() || null,
    origin: origin(),
    lines: sellable().map(apiLine),
    payments: state.payments.map((p) => ({ method: p.method, amount: p.amount })),
    customer_comment: $("#customer-comment").value || null,
    internal_comment: $("#internal-comment").value || null,
  }, extra || {});

  function renderCart() {
    $("#origin").hidden = !hasVisit();
    const tb = $("#cart tbody");
    tb.textContent = "";
    const priced = state.preview ? state.preview.lines : [];
    let j = 0;
    state.lines.forEach((l, i) => {
      const p = l.refused ? null : priced[j++];
      const tr = el("tr", { "data-line": String(i), class: l.refused ? "invalid" : "" });
      const name = el("td", { class: "label" });
      name.appendChild(el("span", {}, l.label));
      if (l.free) name.appendChild(el("span", { class: "badge" }, " " + T["cashier-free"]));
      const sub = [];
      if (l.detail) sub.push(l.detail);
      if (p) sub.push(`${money(p.unit_price_cents)}`);
      if (p && p.discount_cents > 0 && !l.free) sub.push(`−${money(p.discount_cents)}${p.discount_reason ? " (" + p.discount_reason + ")" : ""}`);
      if (l.refused) sub.push(`${T["cashier-line-refused"]} : ${l.refused}`);
      if (sub.length) name.appendChild(el("small", {}, sub.join(" · ")));
      tr.appendChild(name);
      const q = el("td", { class: "num stepper" });
      const minus = el("button", { type: "button", class: "secondary", ariaLabel: "−" }, "−");
      const plus = el("button", { type: "button", class: "secondary", ariaLabel: "+" }, "+");
      minus.addEventListener("click", () => { l.quantity -= 1; if (l.quantity <= 0) state.lines.splice(i, 1); refresh(); });
      plus.addEventListener("click", () => {
        // One more ticket than the session has places is refused here, not at validation.
        if (l.offer_id && isTicket(l.offer_id, l.item_id) && placesLeft(l.offer_id, l.session_start) <= 0) {
          return message(T["cashier-places-only"].replace("%n", Math.max(0, placesLeft(l.offer_id, l.session_start))));
        }
        l.quantity += 1;
        refresh();
      });
      q.append(minus, el("span", { class: "qty-view" }, String(l.quantity)), plus);
      tr.appendChild(q);
      tr.appendChild(el("td", { class: "num" }, p ? money(p.total_cents) : ""));
      const act = el("td", { class: "actions" });
      const free = el("button", { type: "button", class: "link" }, T["cashier-free"]);
      free.addEventListener("click", () => {
        if (l.free) { delete l.free; delete l.free_reason; return refresh(); }
        const reason = window.prompt(T["cashier-free-reason"]);
        if (reason && reason.trim()) { l.free = true; l.free_reason = reason.trim(); refresh(); }
      });
      act.appendChild(free);
      if (data.can_change_price) {
        const price = el("button", { type: "button", class: "link" }, T["cashier-price"]);
        price.addEventListener("click", () => {
          const v = window.prompt(T["cashier-new-price"], p ? typed(p.unit_price_cents) : "");
          if (v === null) return;
          const reason = window.prompt(T["cashier-price-reason"]);
          if (reason && reason.trim()) { l.unit_price = v.trim(); l.price_reason = reason.trim(); refresh(); }
        });
        act.appendChild(price);
      }
      const rm = el("button", { type: "button", class: "link danger", ariaLabel: T["action-remove"] }, "✕");
      rm.title = T["action-remove"];
      rm.addEventListener("click", () => { state.lines.splice(i, 1); refresh(); });
      act.appendChild(rm);
      tr.appendChild(act);
      tb.appendChild(tr);
    });
    // Lines the server adds: a customer's deposit deducted from the goods it was paid for.
    priced.slice(j).forEach((p) => {
      const tr = el("tr", { class: "added-line" });
      const name = el("td", { class: "label" }, p.label);
      name.appendChild(el("small", {}, money(p.unit_price_cents)));
      tr.append(name, el("td", { class: "num" }, String(p.quantity)), el("td", { class: "num" }, money(p.total_cents)), el("td", {}));
      tb.appendChild(tr);
    });
    const t = state.preview ? state.preview.totals : { gross_cents: 0, vat_cents: 0 };
    $("#total").textContent = money(t.gross_cents);
    $("#total-vat").textContent = money(t.vat_cents);
    const due = state.preview ? state.preview.due_cents : 0;
    $("#due").textContent = money(due);
    const change = state.preview ? state.preview.change_cents : 0;
    $("#change-line").hidden = change <= 0;
    $("#change").textContent = money(change);
    const pl = $("#payments");
    pl.textContent = "";
    state.payments.forEach((p, i) => {
      const li = el("li", {});
      li.appendChild(el("span", {}, `${p.label} ${money(cents(p.amount))}`));
      const rm = el("button", { type: "button", class: "link danger" }, T["action-remove"]);
      rm.addEventListener("click", () => { state.payments.splice(i, 1); refresh(); });
      li.appendChild(rm);
      pl.appendChild(li);
    });
    detailsSummary();
  }
  // The button that opens the customer and details dialog says what is set.
  function detailsSummary() {
    const promo = $("#promo-code").value.trim();
    $("#details-summary").textContent = promo ? T["cashier-details-with"].replace("%s", promo) : T["register-details"];
    const name = state.customer ? state.customer.display_name : "—";
    $("#customer-name").textContent = name;
    $("#customer-name-2").textContent = name;
  }

  const phoneRegister = () => !!(data.registers.find((r) => r.id === register()) || {}).phone;
  // Store credit is the attached customer's: offered only with one; a phone register takes no
  // cash. The front desk's usual tenders come first.
  const FIRST = ["cash", "bancontact", "card_terminal", "store_credit"];
  const rank = (m) => (FIRST.includes(m.code) ? FIRST.indexOf(m.code) : FIRST.length);
  const usableMethods = () => data.methods
    .filter((m) => (!phoneRegister() || m.phone) && (m.code !== "store_credit" || state.customer))
    .map((m, i) => [m, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([m]) => m);
  // At most this many tender buttons; the others are one tap away under "other methods".
  const SHOWN = 3;
  function renderMethods() {
    const box = $("#methods");
    box.textContent = "";
    box.classList.remove("asking");
    const methods = usableMethods();
    // No tender is chosen in advance: a sale is never booked as cash because nobody said so.
    if (!methods.some((m) => m.code === state.method)) state.method = null;
    const many = methods.length > SHOWN + 1;
    const shown = many ? methods.slice(0, SHOWN) : methods;
    const chosen = methods.find((m) => m.code === state.method);
    if (many && chosen && !shown.includes(chosen)) shown[SHOWN - 1] = chosen;
    for (const m of shown) {
      const b = el("button", { type: "button", class: "method" + (m.code === state.method ? " active" : ""), "data-method": m.code, ariaPressed: m.code === state.method ? "true" : "false" }, m.label);
      b.addEventListener("click", () => chooseMethod(m.code));
      box.appendChild(b);
    }
    if (many) {
      const more = el("button", { type: "button", class: "method more", id: "methods-more" }, T["cashier-other-methods"]);
      more.addEventListener("click", () => ask(T["cashier-other-methods"], null, null,
        methods.filter((m) => !shown.includes(m)).map((m) => ({ code: m.code, label: m.label, then: () => chooseMethod(m.code) }))));
      box.appendChild(more);
    }
    $("#visit-date").min = phoneRegister() ? nextDay(data.today) : "";
  }
  // Choosing a tender proposes what is due; the keypad then types what the customer hands over.
  function chooseMethod(code) {
    state.method = code;
    renderMethods();
    const due = state.preview ? state.preview.due_cents : 0;
    if (due > 0 && !$("#pay-amount").value.trim()) $("#pay-amount").value = typed(due);
    fresh = true;
  }
  function nextDay(d) {
    const x = new Date(d + "T12:00:00Z");
    x.setUTCDate(x.getUTCDate() + 1);
    return x.toISOString().slice(0, 10);
  }
  function addPayment() {
    const amount = $("#pay-amount").value.trim();
    if (!state.method) return askMethod();
    if (cents(amount) === null || cents(amount) <= 0) return message(data.errors.amount_zero);
    const m = data.methods.find((x) => x.code === state.method);
    state.payments.push({ method: state.method, amount, label: m ? m.label : state.method });
    $("#pay-amount").value = "";
    refresh();
  }

  // ------------------------------------------------------------------ keypad
  // The first key after a tender or a quick amount replaces the proposed amount.
  let fresh = true;
  function key(k) {
    const f = $("#pay-amount");
    let v = fresh ? "" : f.value;
    fresh = false;
    if (k === "back") v = v.slice(0, -1);
    else if (k === ",") { if (!v.includes(",")) v = (v || "0") + ","; }
    else if (!/,\d\d$/.test(v)) v = v === "0" ? k : v + k;
    f.value = v;
  }
  function quick(q) {
    const due = state.preview ? state.preview.due_cents : 0;
    $("#pay-amount").value = typed(q === "exact" ? due : Number(q));
    fresh = true;
  }

  // ------------------------------------------------------------------ server calls
  let seq = 0;
  // Prices the cart. A line the server refuses (a started session, a product out of stock)
  // is marked with its reason and left out, so the other lines stay priced; the cart is asked
  // again without it.
  async function refresh() {
    clearMessages();
    if (state.lines.length) $("#result").hidden = true;
    const mine = ++seq;
    state.lines.forEach((l) => delete l.refused);
    for (let round = 0; round < 3; round++) {
      if (!sellable().length) {
        state.preview = null;
        break;
      }
      const r = await fetch("/api/v1/orders/preview", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body()) });
      if (mine !== seq) return;
      if (r.ok) {
        state.preview = await r.json();
        break;
      }
      const problem = await r.json().catch(() => ({}));
      const refused = lineErrors(problem);
      state.preview = null;
      if (!refused.length || refused.length < (problem.errors || []).length) {
        showProblem(problem);
        break;
      }
      const asked = sellable();
      for (const [i, code] of refused) if (asked[i]) asked[i].refused = data.errors[code] || code;
    }
    renderCart();
  }
  // The problem's errors that name a line, as [index among the lines asked, code].
  function lineErrors(problem) {
    const out = [];
    for (const e of problem.errors || []) {
      const m = /^lines\[(\d+)\]/.exec(e.field || "");
      if (m) out.push([+m[1], e.code]);
    }
    return out;
  }
  async function finish(extra) {
    if (!state.lines.length) return message(data.errors.empty_cart);
    if (state.lines.some((l) => l.refused)) return message(T["cashier-refused-lines"]);
    const r = await fetch("/api/v1/orders", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": state.key },
      body: JSON.stringify(body(extra)),
    });
    const o = await r.json().catch(() => ({}));
    if (!r.ok) return showProblem(o);
    clearMessages();
    const change = (o.payments || []).reduce((s, p) => s + p.change_cents, 0);
    const res = $("#result");
    res.hidden = false;
    res.textContent = "";
    const num = o.number || o.quote_number;
    res.appendChild(el("strong", { id: "result-number" }, `${o.number ? T["cashier-sold"] : T["cashier-quote-saved"]} ${num}`));
    if (change > 0) res.appendChild(el("span", { class: "change-big", id: "result-change" }, `${T["cashier-change"]} ${money(change)}`));
    const links = el("div");
    links.appendChild(el("a", { href: `/orders/${o.id}` }, T["cashier-view-order"]));
    if (o.number) {
      links.appendChild(el("a", { href: `/orders/${o.id}/receipt`, target: "_blank", id: "print-receipt" }, T["order-print-receipt"]));
      if ((o.lines || []).some((l) => l.kind === "ticket_type")) {
        links.appendChild(el("a", { href: `/orders/${o.id}/tickets`, target: "_blank", id: "print-tickets" }, T["order-print-tickets"]));
      }
    }
    res.appendChild(links);
    // The next customer starts from a clean screen: empty cart, no tender chosen, no search.
    state.lines = [];
    state.payments = [];
    state.preview = null;
    state.method = null;
    state.key = newKey();
    attach(null);
    for (const id of ["#o-postal", "#o-province", "#promo-code", "#customer-comment", "#internal-comment", "#product-search", "#scan", "#pay-amount"]) $(id).value = "";
    renderCart();
    renderMethods();
    loadSessions();
    reloadCatalogue();
    $("#scan").focus();
  }

  // ------------------------------------------------------------------ asking before recording
  // A question in a dialog; `yes` runs on the confirming button. `methods` adds the tenders,
  // each of which answers the question with itself.
  function ask(text, yesLabel, yes, methods) {
    const d = $("#confirm");
    $("#confirm-text").textContent = text;
    const box = $("#confirm-methods");
    box.textContent = "";
    for (const m of methods || []) {
      const b = el("button", { type: "button", class: "method", "data-method": m.code }, m.label);
      b.addEventListener("click", () => { d.close(); m.then(); });
      box.appendChild(b);
    }
    const y = $("#confirm-yes");
    y.hidden = !yesLabel;
    // With tenders to pick, they are the answer; the other way out is secondary.
    y.className = methods && methods.length ? "secondary" : "primary";
    y.textContent = yesLabel || "";
    y.onclick = () => { d.close(); if (yes) yes(); };
    $("#confirm-no").onclick = () => d.close();
    if (d.showModal) d.showModal(); else d.setAttribute("open", "");
    (box.querySelector("button") || y).focus();
  }
  // No tender chosen: ask how the customer pays (or record the sale as to be paid later).
  function askMethod() {
    const due = state.preview ? state.preview.due_cents : 0;
    ask(T["cashier-choose-method"].replace("%s", money(due)), T["cashier-pay-later"], () => finish({ payments: [] }),
      usableMethods().map((m) => ({ code: m.code, label: m.label, then: () => { state.method = m.code; renderMethods(); $("#pay-amount").value = typed(due); validate(); } })));
  }
  // Validating takes the amount in the payment field with the chosen tender (the usual one-tap
  // sale). Nothing is recorded silently: with no tender chosen it asks how the customer pays,
  // and a payment below what is due is recorded as a deposit only once the cashier says so.
  function validate() {
    if (!state.lines.length) return message(data.errors.empty_cart);
    if (state.lines.some((l) => l.refused)) return message(T["cashier-refused-lines"]);
    const due = state.preview ? state.preview.due_cents : 0;
    const typedAmount = cents($("#pay-amount").value);
    const adding = state.method && typedAmount !== null && typedAmount > 0 && due > 0;
    if (due > 0 && !adding && !state.payments.length) return askMethod();
    // What is due already counts the payments added before; this one comes on top.
    const paying = adding ? typedAmount : 0;
    const total = state.preview ? state.preview.totals.gross_cents : 0;
    const record = () => {
      if (adding) {
        const m = data.methods.find((x) => x.code === state.method);
        state.payments.push({ method: state.method, amount: $("#pay-amount").value.trim(), label: m ? m.label : state.method });
        $("#pay-amount").value = "";
      }
      finish({});
    };
    const alreadyPaid = total - due;
    if (due > 0 && paying < due) {
      const text = T["cashier-partial"].replace("%1", money(paying + alreadyPaid)).replace("%2", money(total)).replace("%3", money(due - paying));
      return ask(text, T["cashier-partial-confirm"], record);
    }
    record();
  }

  // ------------------------------------------------------------------ messages
  function clearMessages() {
    $("#messages").textContent = "";
  }
  function message(text) {
    $("#messages").appendChild(el("p", { class: "error" }, text));
  }
  function showProblem(p) {
    const errs = p.errors || [];
    if (!errs.length) message(data.errors[p.code] || p.detail || T["cashier-error"]);
    const asked = sellable();
    for (const e of errs) {
      const m = /^lines\[(\d+)\]/.exec(e.field || "");
      const label = m && asked[+m[1]] ? asked[+m[1]].label + " : " : "";
      message(label + (data.errors[e.code] || e.code));
    }
  }

  // ------------------------------------------------------------------ customer and origin
  function attach(c) {
    state.customer = c;
    detailsSummary();
    $("#customer-detach").hidden = !c;
    $("#customer-results").textContent = "";
    $("#customer-search").value = "";
    if (c) closeDetails();
    $("#customer-note-row").hidden = !c;
    offerReservations(c);
    renderMethods();
    if (state.lines.length) refresh();
  }
  // Seed 004: a customer with items set aside for them is offered to pull them into the sale
  // (the sale then consumes the reservations).
  let reserved = [];
  async function offerReservations(c) {
    const box = $("#customer-reservations");
    box.hidden = true;
    reserved = [];
    if (!c) return;
    const r = await fetch(`/api/v1/reservations?customer_id=${c.id}`, { credentials: "same-origin" });
    if (!r.ok || !state.customer || state.customer.id !== c.id) return;
    const groups = (await r.json()).items;
    reserved = groups.flatMap((g) => g.reservations).filter((x) => x.state === "set_aside");
    if (!reserved.length) return;
    box.querySelector("span").textContent = T["cashier-reservations"].replace("%s", reserved.map((x) => `${x.quantity} × ${x.product_name}`).join(", "));
    box.hidden = false;
  }
  $("#customer-reservations-add").addEventListener("click", () => {
    for (const x of reserved) {
      const same = state.lines.find((l) => l.product_id === x.product_id && !l.free && !l.unit_price);
      if (same) same.quantity = Math.max(same.quantity, x.quantity);
      else state.lines.push({ product_id: x.product_id, quantity: x.quantity, label: x.product_name });
    }
    $("#customer-reservations").hidden = true;
    refresh();
  });
  // A comment added to the attached customer's profile during the sale.
  async function addNote() {
    const text = $("#customer-note").value.trim();
    if (!state.customer || !text) return;
    const r = await fetch(`/api/v1/customers/${state.customer.id}/notes`, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ note: text }) });
    const c = await r.json().catch(() => ({}));
    if (!r.ok) return showProblem(c);
    $("#customer-note").value = "";
    message(T["cashier-note-added"]);
  }
  let searchSeq = 0;
  async function searchCustomers() {
    const q = $("#customer-search").value.trim();
    const box = $("#customer-results");
    const mine = ++searchSeq;
    if (q.length < 2) { box.textContent = ""; return; }
    const r = await fetch(`/api/v1/customers?q=${encodeURIComponent(q)}`, { credentials: "same-origin" });
    if (mine !== searchSeq || !r.ok) return;
    const list = (await r.json()).items;
    box.textContent = "";
    if (!list.length) {
      box.appendChild(el("li", { class: "muted" }, T["cashier-no-customer"]));
      // "Add 'X' as a new customer": the typed name goes into the form, without leaving the sale.
      const add = el("button", { type: "button", class: "link", id: "customer-add-typed" }, T["cashier-add-typed"].replace("%s", q));
      add.addEventListener("click", () => {
        const words = q.split(/\s+/);
        $("#c-first_name").value = words.length > 1 ? words[0] : "";
        $("#c-last_name").value = words.length > 1 ? words.slice(1).join(" ") : q;
        $("#c-email").focus();
      });
      const li = el("li");
      li.appendChild(add);
      box.appendChild(li);
    }
    for (const c of list) {
      const li = el("li");
      const b = el("button", { type: "button", class: "link" }, `${c.display_name}${c.email ? " · " + c.email : ""}${c.origin.postal_code ? " · " + c.origin.postal_code : ""}`);
      b.addEventListener("click", () => attach(c));
      li.appendChild(b);
      box.appendChild(li);
    }
  }
  async function createCustomer() {
    clearMessages();
    const country = $("#o-country").value || $("#o-other").value.trim().toUpperCase();
    const input = {
      first_name: $("#c-first_name").value, last_name: $("#c-last_name").value,
      email: $("#c-email").value, phone: $("#c-phone").value,
      country, postal_code: country === "NL" ? "" : $("#o-postal").value, province: country === "NL" ? $("#o-province").value : "",
    };
    const r = await fetch("/api/v1/customers", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) });
    const c = await r.json().catch(() => ({}));
    if (!r.ok) return showProblem(c);
    for (const f of ["first_name", "last_name", "email", "phone"]) $("#c-" + f).value = "";
    attach(c);
  }
  function countryChanged() {
    const c = $("#o-country").value;
    $("#o-other-field").hidden = c !== "";
    $("#o-province-field").hidden = c !== "NL";
    $("#o-postal-field").hidden = c === "NL";
    if (state.lines.length) refresh();
  }

  // The customer and details dialog.
  function openDetails() {
    const d = $("#customer-panel");
    if (d.showModal) d.showModal(); else d.setAttribute("open", "");
    $("#customer-search").focus();
  }
  function closeDetails() {
    const d = $("#customer-panel");
    if (d.open) { if (d.close) d.close(); else d.removeAttribute("open"); }
    detailsSummary();
  }

  // ------------------------------------------------------------------ wiring
  $("#customer-search").addEventListener("input", searchCustomers);
  $("#customer-search").addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "Tab") { const first = $("#customer-results button"); if (first) { e.preventDefault(); first.click(); } }
  });
  $("#customer-create").addEventListener("click", createCustomer);
  $("#customer-note-add").addEventListener("click", addNote);
  $("#promo-code").addEventListener("change", () => { if (state.lines.length) refresh(); });
  $("#customer-detach").addEventListener("click", (e) => { e.preventDefault(); attach(null); });
  $("#o-country").addEventListener("change", countryChanged);
  for (const id of ["#o-postal", "#o-province", "#o-other"]) $(id).addEventListener("change", () => { if (state.lines.length) refresh(); });
  $("#visit-date").addEventListener("change", loadSessions);
  // Whether the chosen register is open: a closed counter register sells nothing.
  function drawerStatus() {
    const r = data.registers.find((x) => x.id === register()) || {};
    const link = $("#drawer-link");
    if (!link) return;
    link.href = `/register/drawer?register=${encodeURIComponent(register())}`;
    link.textContent = r.open ? T["cashier-register-open"] : (r.phone ? T["cashier-register-phone"] : T["cashier-register-closed"]);
    link.classList.toggle("danger", !r.open && !r.phone);
  }
  drawerStatus();
  $("#register").addEventListener("change", () => { renderMethods(); drawerStatus(); refresh(); });
  $("#add-tickets").addEventListener("click", addTickets);
  $("#scan").addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); scan(e.target.value); e.target.value = ""; }
  });
  $("#product-search").addEventListener("input", renderProducts);
  $("#product-search").addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); const first = $("#product-grid .product"); if (first) first.click(); }
  });
  $("#add-payment").addEventListener("click", addPayment);
  $("#pay-amount").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addPayment(); } });
  $("#pay-amount").addEventListener("input", () => { fresh = false; });
  $("#keypad").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.key) key(b.dataset.key);
    else if (b.dataset.quick) quick(b.dataset.quick);
  });
  $("#validate").addEventListener("click", validate);
  $("#pay-later").addEventListener("click", () => ask(T["cashier-pay-later-confirm"] + " ?", T["cashier-pay-later"], () => finish({ payments: [] })));
  $("#save-quote").addEventListener("click", () => finish({ quote: true, payments: [] }));
  $("#clear-cart").addEventListener("click", () => { state.lines = []; state.payments = []; state.method = null; state.key = newKey(); renderMethods(); refresh(); });
  $("#customer-open").addEventListener("click", openDetails);
  $("#customer-done").addEventListener("click", () => { closeDetails(); if (state.lines.length) refresh(); });
  $("#customer-panel").addEventListener("close", detailsSummary);
  $("#fullscreen").addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  });
  // Remaining places move as other registers and the website sell: refreshed every minute,
  // which also turns sessions that have just started into "started".
  setInterval(() => { if (state.offer && !document.hidden) loadSessions(); }, 60000);
  document.addEventListener("keydown", (e) => {
    if (e.key === "F2") { e.preventDefault(); $("#scan").focus(); }
    if (e.key === "F3") { e.preventDefault(); $("#product-search").focus(); }
    if (e.key === "F9" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      if (!document.querySelector("dialog[open]")) validate();
    }
  });
  renderTabs();
  renderProducts();
  renderMethods();
  renderCart();
})();
