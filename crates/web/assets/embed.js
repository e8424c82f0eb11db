/* Guichet booking modules, embed script v1 (served at /embed/v1.js; no dependency, no CDN).
 *
 * On the attraction's own website:
 *   <script src="https://guichet.example.be/embed/v1.js" async></script>
 *   <div data-guichet-module="{organization}/{module}" data-mode="inline"></div>
 *
 * Every [data-guichet-module] element gets the booking flow of that module
 * (/book/{organization}/{module}?embed=1 on the server this script came from): in the page
 * (data-mode="inline", the default), or behind a button that opens it over the page
 * (data-mode="overlay"; data-label sets the button's text). The flow's pages tell their
 * height ({guichet: "resize", height: N}) and, once the purchase is done, where the visitor
 * goes next ({guichet: "done", url: "https://…"}); messages from any other origin are
 * ignored. window.GuichetEmbed.scan() mounts elements added later. */
(function () {
  "use strict";
  if (window.GuichetEmbed) { return; }
  var script = document.currentScript;
  if (!script) {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/embed\/v1\.js(\?|#|$)/.test(all[i].src)) { script = all[i]; break; }
    }
  }
  if (!script) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  var frames = [];

  function frameFor(src, title) {
    var f = document.createElement("iframe");
    f.src = src;
    f.title = title;
    f.setAttribute("allow", "payment");
    f.style.border = "0";
    f.style.width = "100%";
    f.style.display = "block";
    f.style.height = "480px";
    frames.push(f);
    return f;
  }

  function words() {
    var lang = (document.documentElement.lang || navigator.language || "").slice(0, 2).toLowerCase();
    if (lang === "fr") { return { book: "Réserver", close: "Fermer", title: "Réservation" }; }
    if (lang === "nl") { return { book: "Reserveren", close: "Sluiten", title: "Reservatie" }; }
    return { book: "Book", close: "Close", title: "Booking" };
  }

  function openOverlay(src, opener) {
    var w = words();
    var backdrop = document.createElement("div");
    backdrop.setAttribute("data-guichet-overlay", "");
    var s = backdrop.style;
    s.position = "fixed"; s.top = "0"; s.left = "0"; s.right = "0"; s.bottom = "0";
    s.zIndex = "2147483646"; s.background = "rgba(0,0,0,.55)";
    s.display = "flex"; s.alignItems = "center"; s.justifyContent = "center";
    var panel = document.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "true");
    panel.setAttribute("aria-label", w.title);
    var p = panel.style;
    p.position = "relative"; p.background = "#fff"; p.width = "min(960px, 96vw)";
    p.maxHeight = "92vh"; p.overflow = "auto"; p.borderRadius = "8px";
    p.boxShadow = "0 10px 40px rgba(0,0,0,.35)";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", w.close);
    var c = close.style;
    c.position = "sticky"; c.top = "0"; c.float = "right"; c.zIndex = "1";
    c.font = "28px/1 sans-serif"; c.width = "44px"; c.height = "44px";
    c.border = "0"; c.background = "#fff"; c.cursor = "pointer";
    var frame = frameFor(src, w.title);
    panel.appendChild(close);
    panel.appendChild(frame);
    backdrop.appendChild(panel);
    function onKey(e) { if (e.key === "Escape") { shut(); } }
    function shut() {
      document.removeEventListener("keydown", onKey);
      frames = frames.filter(function (f) { return f !== frame; });
      if (backdrop.parentNode) { backdrop.parentNode.removeChild(backdrop); }
      if (opener) { opener.focus(); }
    }
    close.addEventListener("click", shut);
    backdrop.addEventListener("click", function (e) { if (e.target === backdrop) { shut(); } });
    document.addEventListener("keydown", onKey);
    document.body.appendChild(backdrop);
    close.focus();
  }

  function mount(el) {
    if (el.getAttribute("data-guichet-mounted")) { return; }
    var parts = (el.getAttribute("data-guichet-module") || "").split("/");
    if (parts.length !== 2 || !SLUG.test(parts[0]) || !SLUG.test(parts[1])) { return; }
    el.setAttribute("data-guichet-mounted", "1");
    var src = origin + "/book/" + parts[0] + "/" + parts[1] + "?embed=1";
    var w = words();
    if (el.getAttribute("data-mode") === "overlay") {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = el.getAttribute("data-label") || w.book;
      button.addEventListener("click", function () { openOverlay(src, button); });
      el.appendChild(button);
    } else {
      el.appendChild(frameFor(src, el.getAttribute("data-title") || w.title));
    }
  }

  function scan() {
    var els = document.querySelectorAll("[data-guichet-module]");
    for (var i = 0; i < els.length; i++) { mount(els[i]); }
  }

  window.addEventListener("message", function (e) {
    if (e.origin !== origin || !e.data || typeof e.data !== "object") { return; }
    var frame = null;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === e.source) { frame = frames[i]; break; }
    }
    if (!frame) { return; }
    if (e.data.guichet === "resize") {
      var h = Math.round(Number(e.data.height));
      if (h > 0 && h < 100000) { frame.style.height = h + "px"; }
      // A new page of the flow starts at its top: bring it into view if the visitor
      // scrolled past it (a long calendar, then a short confirmation).
      if (e.data.page && frame.getBoundingClientRect().top < 0 && frame.scrollIntoView) {
        frame.scrollIntoView({ block: "start" });
      }
    } else if (e.data.guichet === "done" && typeof e.data.url === "string") {
      var url;
      try { url = new URL(e.data.url); } catch (err) { return; }
      if (url.protocol === "https:" || url.protocol === "http:") { window.location.href = url.href; }
    }
  });

  window.GuichetEmbed = { scan: scan };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
