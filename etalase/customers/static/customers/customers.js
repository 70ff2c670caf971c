// Customers list: "choose all on this page" for bulk tagging (works again after htmx swaps the results).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-bulk-all]");
    if (!all) { return; }
    var form = all.closest("[data-bulk-form]");
    if (!form) { return; }
    form.querySelectorAll("input[name=contact]").forEach(function (box) { box.checked = all.checked; });
  });
})();
