/* The public booking pages' small enhancements (every page works without them; inline
 * scripts are not allowed by the pages' policy):
 * - the cart's countdown ([data-expires-ms]: when the held places go back, ms since epoch);
 * - forms that ask before acting ([data-confirm]: the question);
 * - the "back to the site" link ([data-guichet-done]) goes through the embedding page when
 *   the flow is framed (GuichetChild from embed-child.js). */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function countdown(el) {
    var end = Number(el.getAttribute("data-expires-ms"));
    var out = el.querySelector("[data-countdown]");
    if (!end || !out) { return; }
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      out.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      if (left === 0) {
        el.classList.add("expired");
        el.textContent = el.getAttribute("data-expired-text") || "";
        return;
      }
      setTimeout(tick, 1000);
    }
    tick();
  }
  function ready() {
    document.querySelectorAll("[data-expires-ms]").forEach(countdown);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("a[data-guichet-done]").forEach(function (a) {
      a.addEventListener("click", function (e) {
        if (window.GuichetChild && window.parent !== window) {
          e.preventDefault();
          window.GuichetChild.done(a.getAttribute("data-guichet-done"));
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
