/* A booking module's web analytics, loaded only when the module has a measurement id
 * (data-measurement-id on this script's tag): Google's gtag.js, configured here because
 * the pages allow no inline script. */
(function () {
  "use strict";
  var me = document.currentScript;
  var id = me && me.getAttribute("data-measurement-id");
  if (!id || !/^[A-Za-z0-9-]{1,32}$/.test(id)) { return; }
  window.dataLayer = window.dataLayer || [];
  window.gtag = function () { window.dataLayer.push(arguments); };
  window.gtag("js", new Date());
  window.gtag("config", id);
  var s = document.createElement("script");
  s.async = true;
  s.src = "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(id);
  document.head.appendChild(s);
})();
