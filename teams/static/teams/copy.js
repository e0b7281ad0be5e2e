// A "Copy" button beside a read-only field: <button data-copy="#field-id"
// data-copied="Copied">. Uses the clipboard where the page may (HTTPS or
// localhost), else selects the text so the person can copy it themselves.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    var done = function () {
      button.textContent = button.dataset.copied;
      var status = document.getElementById(button.getAttribute("aria-describedby"));
      if (status) status.textContent = button.dataset.copied;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
