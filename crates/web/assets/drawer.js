// The drawer (opening float, closing count): a running total of the count by denomination,
// updated as each count is typed. The page works without it: the server adds the counts up
// itself, and shows the total again with any error.
(function () {
  "use strict";
  // Amounts as the page's language writes them (crates/integrations i18n::money_text):
  // "8,50 €" in French and English, "€ 1.234,50" in Dutch.
  var dutch = document.documentElement.lang === "nl";
  // Always two decimals; a minus sign only below zero (never "-0,00").
  function typed(c) {
    var a = Math.abs(Math.round(c));
    return (c <= -1 ? "-" : "") + Math.floor(a / 100) + "," + String(a % 100).padStart(2, "0");
  }
  function money(c) {
    if (!dutch) return typed(c) + " €";
    var a = Math.abs(Math.round(c));
    var whole = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return "€ " + (c <= -1 ? "-" : "") + whole + "," + String(a % 100).padStart(2, "0");
  }
  function setUp(grid) {
    var output = document.getElementById(grid.dataset.total);
    // The amount field: filled with the total while the cashier counts, unless they typed an
    // amount of their own (then the server checks that both agree).
    var amount = document.getElementById(grid.dataset.amount);
    var inputs = grid.querySelectorAll("input[data-cents]");
    function total() {
      var sum = 0;
      inputs.forEach(function (input) {
        var raw = input.value.trim();
        var ok = raw === "" || /^\d+$/.test(raw);
        input.closest(".denomination").classList.toggle("typo", !ok);
        if (ok && raw !== "") sum += parseInt(raw, 10) * parseInt(input.dataset.cents, 10);
      });
      return sum;
    }
    function update() {
      var sum = total();
      if (output) output.textContent = money(sum);
      if (amount && (amount.value.trim() === "" || amount.dataset.auto === "1")) {
        amount.value = sum > 0 ? typed(sum) : "";
        amount.dataset.auto = "1";
      }
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    if (amount) {
      amount.addEventListener("input", function () { delete amount.dataset.auto; });
    }
    // Shown again after an error: an amount that is the count's total keeps following it.
    var first = total();
    if (amount && first > 0 && amount.value.trim() === typed(first)) amount.dataset.auto = "1";
    if (output) output.textContent = money(first);
  }
  function start() {
    document.querySelectorAll(".denominations[data-total]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
