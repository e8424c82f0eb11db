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
  const typed = (c) => {
    const sign = c < 0 ? "-" : "";
    const a = Math.abs(c);
    return sign + Math.floor(a / 100) + "," + String(a % 100).padStart(2, "0");
  };
  const money = (c) => {
    if (!dutch) return typed(c) + " €";
    const a = Math.abs(c);
    const whole = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return "€ " + (c < 0 ? "-" : "") + whole + "," + String(a % 100).padStart(2, "0");
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
    if (offersOf(null).length > 0) all.push([null, "—"]);
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
  async function loadSessions() {
    const box = $("#sessions");
    box.textContent = "";
    state.session = null;
    if (!state.offer) return;
    const d = $("#visit-date").value;
    const r = await fetch(`/api/v1/offers/${state.offer.id}/availability?from=${d}&to=${d}`, { credentials: "same-origin" });
    if (!r.ok) return showProblem(await r.json().catch(() => ({})));
    const av = await r.json();
    state.sessions = av.sessions;
    const now = Date.now() * 1000;
    if (!av.sessions.length) box.appendChild(el("p", { class: "muted" }, T["cashier-no-session"]));
    for (const s of av.sessions) {
      const past = s.start < now;
      const label = s.closed ? T["planning-closed"] : s.stopped ? T["planning-stopped"] : s.remaining > 0 ? `${s.remaining} / ${s.capacity}` : T["cashier-full"];
      const b = el("button", { type: "button", class: "session", role: "option", "data-start": String(s.start) });
      b.appendChild(el("strong", {}, s.time));
      b.appendChild(el("span", {}, " " + (past ? T["cashier-started"] + " · " : "") + label));
      b.disabled = s.closed || s.stopped || s.remaining <= 0;
      b.addEventListener("click", () => selectSession(s));
      box.appendChild(b);
    }
    const next = av.sessions.find((s) => s.start >= now && !s.closed && !s.stopped && s.remaining > 0);
    if (next) selectSession(next);
  }
  function selectSession(s) {
    state.session = s;
    document.querySelectorAll("#sessions .session").forEach((b) => b.setAttribute("aria-selected", b.dataset.start === String(s.start) ? "true" : "false"));
  }
  function renderQuantities() {
    const body = $("#quantities tbody");
    body.textContent = "";
    for (const p of state.offer.prices) {
      const tr = el("tr");
      tr.appendChild(el("td", {}, p.name));
      tr.appendChild(el("td", { class: "num" }, money(p.price_cents)));
      const td = el("td", { class: "num stepper" });
      const minus = el("button", { type: "button", class: "secondary", ariaLabel: "-" }, "−");
      const input = el("input", { inputMode: "numeric", value: "0", className: "qty", "data-item": p.item_id });
      input.setAttribute("aria-label", p.name);
      const plus = el("button", { type: "button", class: "secondary", ariaLabel: "+" }, "+");
      const set = (n) => { state.qty[p.item_id] = Math.max(0, n); input.value = String(state.qty[p.item_id]); };
      minus.addEventListener("click", () => set((state.qty[p.item_id] || 0) - 1));
      plus.addEventListener("click", () => set((state.qty[p.item_id] || 0) + 1));
      input.addEventListener("input", () => set(parseInt(input.value, 10) || 0));
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addTickets(); } });
      td.append(minus, input, plus);
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }
  function addTickets() {
    if (!state.offer) return;
    if (!state.session) return message(T["cashier-no-session"]);
    for (const p of state.offer.prices) {
      const q = state.qty[p.item_id] || 0;
      if (q <= 0) continue;
      const same = state.lines.find((l) => l.offer_id === state.offer.id && l.session_start === state.session.start && l.item_id === p.item_id && !l.free && !l.unit_price);
      if (same) same.quantity += q;
      else state.lines.push({ offer_id: state.offer.id, session_start: state.session.start, item_id: p.item_id, quantity: q, label: `${p.name} · ${state.offer.name} ${state.session.time}` });
    }
    renderQuantities();
    state.qty = {};
    refresh();
  }

  // ------------------------------------------------------------------ shop products
  function renderProducts() {
    const box = $("#product-grid");
    box.textContent = "";
    const q = fold($("#product-search").value.trim());
    const words = q.split(/\s+/).filter(Boolean);
    let group;
    for (const p of data.catalogue.products) {
      if (words.some((w) => !p.search.includes(w))) continue;
      // Products come in group order: a heading starts each group.
      if (p.group !== group) {
        group = p.group;
        box.appendChild(el("h3", { class: "product-group" }, group || "—"));
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

  // ------------------------------------------------------------------ cart and payments
  const register = () => $("#register").value;
  const apiLines = () =>
    state.lines.map((l) => {
      const o = { quantity: l.quantity };
      for (const k of ["offer_id", "session_start", "item_id", "product_id", "unit_price", "price_reason", "free_reason"]) if (l[k] !== undefined) o[k] = l[k];
      if (l.free) o.free = true;
      return o;
    });
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
  const body = (extra) => Object.assign({
    register_id: register(),
    customer_id: state.customer ? state.customer.id : null,
    promo_code: $("#promo-code").value.trim() || null,
    origin: origin(),
    lines: apiLines(),
    payments: state.payments.map((p) => ({ method: p.method, amount: p.amount })),
    customer_comment: $("#customer-comment").value || null,
    internal_comment: $("#internal-comment").value || null,
  }, extra || {});

  function renderCart() {
    $("#origin").hidden = !hasVisit();
    const tb = $("#cart tbody");
    tb.textContent = "";
    const priced = state.preview ? state.preview.lines : [];
    state.lines.forEach((l, i) => {
      const p = priced[i];
      const tr = el("tr", { "data-line": String(i) });
      const name = el("td", {}, l.label);
      if (l.free) name.appendChild(el("span", { class: "badge" }, " " + T["cashier-free"]));
      if (p && p.discount_cents > 0 && !l.free) name.appendChild(el("span", { class: "muted discount" }, ` −${money(p.discount_cents)}${p.discount_reason ? " (" + p.discount_reason + ")" : ""}`));
      tr.appendChild(name);
      const q = el("td", { class: "num stepper" });
      const minus = el("button", { type: "button", class: "secondary" }, "−");
      const plus = el("button", { type: "button", class: "secondary" }, "+");
      minus.addEventListener("click", () => { l.quantity -= 1; if (l.quantity <= 0) state.lines.splice(i, 1); refresh(); });
      plus.addEventListener("click", () => { l.quantity += 1; refresh(); });
      q.append(minus, el("span", { class: "qty-view" }, String(l.quantity)), plus);
      tr.appendChild(q);
      tr.appendChild(el("td", { class: "num" }, p ? money(p.unit_price_cents) : ""));
      tr.appendChild(el("td", { class: "num" }, p ? money(p.vat_cents) : ""));
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
      const rm = el("button", { type: "button", class: "link danger" }, T["action-remove"]);
      rm.addEventListener("click", () => { state.lines.splice(i, 1); refresh(); });
      act.appendChild(rm);
      tr.appendChild(act);
      tb.appendChild(tr);
    });
    // Lines the server adds: a customer's deposit deducted from the goods it was paid for.
    priced.slice(state.lines.length).forEach((p) => {
      const tr = el("tr", { class: "added-line" });
      tr.append(el("td", {}, p.label), el("td", { class: "num" }, String(p.quantity)), el("td", { class: "num" }, money(p.unit_price_cents)),
        el("td", { class: "num" }, money(p.vat_cents)), el("td", { class: "num" }, money(p.total_cents)), el("td", {}));
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
    if (document.activeElement !== $("#pay-amount")) $("#pay-amount").value = due > 0 ? typed(due) : "";
    const pl = $("#payments");
    pl.textContent = "";
    state.payments.forEach((p, i) => {
      const li = el("li", {}, `${p.label} ${money(cents(p.amount))} `);
      const rm = el("button", { type: "button", class: "link danger" }, T["action-remove"]);
      rm.addEventListener("click", () => { state.payments.splice(i, 1); refresh(); });
      li.appendChild(rm);
      pl.appendChild(li);
    });
  }

  function renderMethods() {
    const box = $("#methods");
    box.textContent = "";
    const phone = (data.registers.find((r) => r.id === register()) || {}).phone;
    // Store credit is the attached customer's: offered only with one.
    const methods = data.methods.filter((m) => (!phone || m.phone) && (m.code !== "store_credit" || state.customer));
    if (!methods.some((m) => m.code === state.method)) state.method = methods.length ? methods[0].code : null;
    for (const m of methods) {
      const b = el("button", { type: "button", class: "method" + (m.code === state.method ? " active" : ""), "data-method": m.code }, m.label);
      b.addEventListener("click", () => { state.method = m.code; renderMethods(); $("#pay-amount").focus(); });
      box.appendChild(b);
    }
    const min = phone ? nextDay(data.today) : "";
    $("#visit-date").min = min;
  }
  function nextDay(d) {
    const x = new Date(d + "T12:00:00Z");
    x.setUTCDate(x.getUTCDate() + 1);
    return x.toISOString().slice(0, 10);
  }
  function addPayment() {
    const amount = $("#pay-amount").value.trim();
    if (!state.method || cents(amount) === null || cents(amount) <= 0) return message(data.errors.amount_zero);
    const m = data.methods.find((x) => x.code === state.method);
    state.payments.push({ method: state.method, amount, label: m ? m.label : state.method });
    $("#pay-amount").value = "";
    refresh();
  }

  // ------------------------------------------------------------------ server calls
  let seq = 0;
  async function refresh() {
    clearMessages();
    const mine = ++seq;
    if (!state.lines.length) {
      state.preview = null;
      renderCart();
      return;
    }
    const r = await fetch("/api/v1/orders/preview", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body()) });
    if (mine !== seq) return;
    if (r.ok) state.preview = await r.json();
    else {
      state.preview = null;
      showProblem(await r.json().catch(() => ({})));
    }
    renderCart();
  }
  async function finish(extra) {
    if (!state.lines.length) return message(data.errors.empty_cart);
    const r = await fetch("/api/v1/orders", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": state.key },
      body: JSON.stringify(body(extra)),
    });
    const o = await r.json().catch(() => ({}));
    if (!r.ok) return showProblem(o);
    const change = (o.payments || []).reduce((s, p) => s + p.change_cents, 0);
    const res = $("#result");
    res.hidden = false;
    res.textContent = "";
    const num = o.number || o.quote_number;
    res.appendChild(el("strong", { id: "result-number" }, `${o.number ? T["cashier-sold"] : T["cashier-quote-saved"]} ${num}`));
    if (change > 0) res.appendChild(el("span", { class: "change" }, ` · ${T["cashier-change"]} ${money(change)}`));
    res.appendChild(document.createTextNode(" "));
    res.appendChild(el("a", { href: `/orders/${o.id}` }, T["cashier-view-order"]));
    if (o.number) {
      res.appendChild(document.createTextNode(" · "));
      res.appendChild(el("a", { href: `/orders/${o.id}/receipt`, target: "_blank", id: "print-receipt" }, T["order-print-receipt"]));
      if ((o.lines || []).some((l) => l.kind === "ticket_type")) {
        res.appendChild(document.createTextNode(" · "));
        res.appendChild(el("a", { href: `/orders/${o.id}/tickets`, target: "_blank", id: "print-tickets" }, T["order-print-tickets"]));
      }
    }
    state.lines = [];
    state.payments = [];
    state.preview = null;
    state.key = newKey();
    attach(null);
    $("#o-postal").value = "";
    $("#o-province").value = "";
    $("#promo-code").value = "";
    $("#customer-comment").value = "";
    $("#internal-comment").value = "";
    renderCart();
    loadSessions();
    $("#scan").focus();
  }

  // ------------------------------------------------------------------ messages
  function clearMessages() {
    $("#messages").textContent = "";
    document.querySelectorAll("#cart tr.invalid").forEach((r) => r.classList.remove("invalid"));
  }
  function message(text) {
    $("#messages").appendChild(el("p", { class: "error" }, text));
  }
  function showProblem(p) {
    const errs = p.errors || [];
    if (!errs.length) message(data.errors[p.code] || p.detail || T["cashier-error"]);
    for (const e of errs) {
      const m = /^lines\[(\d+)\]/.exec(e.field || "");
      const label = m && state.lines[+m[1]] ? state.lines[+m[1]].label + " : " : "";
      message(label + (data.errors[e.code] || e.code));
    }
  }

  // ------------------------------------------------------------------ customer and origin
  function attach(c) {
    state.customer = c;
    $("#customer-name").textContent = c ? c.display_name : "—";
    $("#customer-detach").hidden = !c;
    $("#customer-results").textContent = "";
    $("#customer-search").value = "";
    if (c) $("#customer-panel").open = false;
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
  // Validating takes the amount still shown in the payment field with the chosen method (the
  // usual one-tap sale); to leave a balance unpaid, empty the field or use "pay later".
  const validate = () => {
    const a = cents($("#pay-amount").value);
    const due = state.preview ? state.preview.due_cents : null;
    if (state.method && a !== null && a > 0 && (due === null || due > 0)) {
      const m = data.methods.find((x) => x.code === state.method);
      state.payments.push({ method: state.method, amount: $("#pay-amount").value.trim(), label: m ? m.label : state.method });
    }
    finish({});
  };
  $("#validate").addEventListener("click", validate);
  $("#pay-later").addEventListener("click", () => finish({ payments: [] }));
  $("#save-quote").addEventListener("click", () => finish({ quote: true, payments: [] }));
  $("#clear-cart").addEventListener("click", () => { state.lines = []; state.payments = []; state.key = newKey(); refresh(); });
  document.addEventListener("keydown", (e) => {
    if (e.key === "F2") { e.preventDefault(); $("#scan").focus(); }
    if (e.key === "F3") { e.preventDefault(); $("#product-search").focus(); }
    if (e.key === "F9" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) { e.preventDefault(); validate(); }
  });
  renderTabs();
  renderProducts();
  renderMethods();
  renderCart();
})();
