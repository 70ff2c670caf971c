// Orders: print the receipt, add product rows to a staff order, submit payment and checkout forms once.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-receipt-print]")) { window.print(); }
  });

  // A form whose button carries data-submit-once is sent once: a second tap waits for the first.
  // (The server is idempotent anyway: the same form sent twice gives one order or payment.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.querySelector) { return; }
    var button = form.querySelector("[data-submit-once]");
    if (!button) { return; }
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    window.setTimeout(function () { button.setAttribute("aria-disabled", "true"); }, 0);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      var button = form.querySelector("[data-submit-once]");
      if (button) { button.removeAttribute("aria-disabled"); }
    });
  });

  // Staff order: show the first empty product rows only, and a button that reveals one more.
  function setUpLines(fieldset) {
    var rows = Array.prototype.slice.call(fieldset.querySelectorAll("[data-order-line]"));
    var button = fieldset.querySelector("[data-add-line]");
    if (!rows.length || !button) { return; }
    var lastUsed = 0;
    rows.forEach(function (row, index) {
      var select = row.querySelector("select");
      if ((select && select.value) || row.hasAttribute("data-has-error")) { lastUsed = index + 1; }
    });
    var visible = Math.max(lastUsed + 1, 3);
    rows.forEach(function (row, index) { row.hidden = index >= visible; });
    function refreshButton() { button.hidden = !rows.some(function (row) { return row.hidden; }); }
    button.addEventListener("click", function () {
      var next = rows.filter(function (row) { return row.hidden; })[0];
      if (!next) { return; }
      next.hidden = false;
      var select = next.querySelector("select");
      if (select) { select.focus(); }
      refreshButton();
    });
    refreshButton();
  }
  // Pickup or delivery: the delivery address shows only for delivery (it is in the page without JavaScript).
  function setUpFulfilment(form) {
    var address = form.querySelector("[data-delivery-only]");
    var radios = form.querySelectorAll("input[name=fulfilment]");
    if (!address || !radios.length) { return; }
    function show() {
      var chosen = form.querySelector("input[name=fulfilment]:checked");
      var hasError = address.querySelector(".field-error");
      address.hidden = !hasError && !(chosen && chosen.value === "delivery");
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }
  function start() {
    document.querySelectorAll("[data-order-lines]").forEach(setUpLines);
    document.querySelectorAll("form").forEach(setUpFulfilment);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
