// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  document.documentElement.classList.add("js");
  // The organization switcher submits as soon as another organization is chosen.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // On a tablet the menu folds behind the topbar's button and opens as a drawer over the
  // page, just under the topbar; Escape or a click beside it closes it.
  var toggle = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sidebar");
  if (toggle && sidebar) {
    var setOpen = function (open) {
      document.body.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        sidebar.style.top = toggle.closest("header").getBoundingClientRect().bottom + "px";
        var first = sidebar.querySelector("a[aria-current]") || sidebar.querySelector("a");
        if (first) { first.focus(); }
      }
    };
    toggle.addEventListener("click", function () {
      setOpen(!document.body.classList.contains("menu-open"));
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && document.body.classList.contains("menu-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
    document.addEventListener("click", function (e) {
      if (document.body.classList.contains("menu-open") && !sidebar.contains(e.target) && !toggle.contains(e.target)) {
        setOpen(false);
      }
    });
  }
  // Print buttons (a handler here, not in the page: the Content-Security-Policy forbids
  // inline scripts).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Secrets shown once and snippets are selected on focus, ready to copy.
  document.querySelectorAll("input.copy, textarea.copy").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  // Copy buttons: data-copy names the field whose text goes to the clipboard; the button
  // says data-copied for a moment.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (!field) { return; }
      var label = button.textContent;
      var copied = function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(copied, function () {
          if (document.execCommand("copy")) { copied(); }
        });
      } else if (document.execCommand("copy")) {
        copied();
      }
    });
  });
  // Long requests (a customer import) show how far the server got while the page waits.
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var line = form.querySelector(".progress-line");
      if (!line) { return; }
      line.hidden = false;
      var bar = line.querySelector("progress"), text = line.querySelector("span");
      var url = "/marketing/customers/import/progress/" + form.dataset.progress;
      setInterval(function () {
        fetch(url, { credentials: "same-origin" }).then(function (r) {
          return r.ok ? r.json() : null;
        }).then(function (step) {
          if (!step) { return; }
          if (step.total > 0) { bar.max = step.total; bar.value = step.done; }
          text.textContent = (line.dataset[step.phase] || step.phase) + " " + step.done + " / " + step.total;
        }).catch(function () {});
      }, 400);
    });
  });
});
