/* Guichet booking pages inside a module's frame (see embed.js): tells the embedding page
 * this document's height on load and whenever it changes, and, through
 * GuichetChild.done(url), where to send the visitor once the purchase is done. Heights are
 * not secret and go to any parent; the "done" message only to the embedding page's origin. */
(function () {
  "use strict";
  if (window.parent === window) {
    window.GuichetChild = { done: function (url) { window.location.href = url; } };
    return;
  }
  var last = 0, first = true;
  // The content's own height: the document's box, not its scroll height, which never goes
  // below the frame's current height (a short page after a long one would keep the space).
  function height() {
    var d = document.documentElement, b = document.body;
    var box = d.getBoundingClientRect().height;
    return Math.ceil(box > 0 ? box : Math.max(d.offsetHeight, b ? b.offsetHeight : 0));
  }
  function post() {
    var h = height();
    if (h === last && !first) { return; }
    last = h;
    window.parent.postMessage({ guichet: "resize", height: h, page: first }, "*");
    first = false;
  }
  function parentOrigin() {
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      return window.location.ancestorOrigins[0];
    }
    try { return new URL(document.referrer).origin; } catch (e) { return null; }
  }
  window.GuichetChild = {
    done: function (url) {
      var target = parentOrigin();
      if (target && target !== "null") {
        window.parent.postMessage({ guichet: "done", url: String(url) }, target);
      } else {
        window.open(String(url), "_top");
      }
    }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", post);
  } else {
    post();
  }
  window.addEventListener("load", post);
  if ("ResizeObserver" in window) {
    new ResizeObserver(post).observe(document.documentElement);
  } else {
    window.addEventListener("resize", post);
  }
})();
