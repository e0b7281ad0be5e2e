/* Upload page: each chosen or dropped file goes in its own request, with a
   progress bar; the server answers with that file's fragment, which then
   follows the reading with htmx. Without this script the form posts all the
   files at once and the page lists each one's result. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function placeholder(results, name, label) {
    var item = document.createElement("div");
    item.className = "upload-item upload-sending";
    var title = document.createElement("p");
    title.className = "upload-name";
    var strong = document.createElement("strong");
    strong.className = "break-anywhere";
    strong.textContent = name;
    title.appendChild(strong);
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", label + " " + name);
    item.appendChild(title);
    item.appendChild(bar);
    results.insertBefore(item, results.firstChild);
    return { item: item, bar: bar };
  }

  function show(item, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.firstElementChild || holder;
    item.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  function fail(item, message) {
    item.classList.add("upload-error");
    var bar = item.querySelector("progress");
    if (bar) bar.remove();
    var p = document.createElement("p");
    p.className = "upload-message";
    p.setAttribute("role", "alert");
    p.textContent = message;
    item.appendChild(p);
  }

  function send(form, results, file) {
    var ui = placeholder(results, file.name, form.dataset.sending);
    var max = parseInt(form.dataset.maxBytes, 10);
    if (max && file.size > max) {
      fail(ui.item, form.dataset.tooLarge);
      return;
    }
    var data = new FormData();
    data.append("files", file, file.name);
    data.append("sport", (form.querySelector("[name=sport]") || {}).value || "");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
    xhr.setRequestHeader("X-KindSteps-Upload", "1");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) ui.bar.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 500 && xhr.responseText) {
        ui.bar.value = 100;
        show(ui.item, xhr.responseText);
      } else {
        fail(ui.item, form.dataset.failed);
      }
    });
    xhr.addEventListener("error", function () { fail(ui.item, form.dataset.failed); });
    xhr.send(data);
  }

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-drop-zone]");
    var results = document.querySelector("[data-upload-results]");
    var submit = form.querySelector("[data-upload-submit]");
    if (!input || !results) return;
    // Files go as soon as they are chosen: the button is only for the form without script.
    if (submit) submit.hidden = true;

    function sendAll(files) {
      Array.prototype.forEach.call(files, function (file) { send(form, results, file); });
    }
    input.addEventListener("change", function () {
      sendAll(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendAll(input.files);
      input.value = "";
    });
    if (zone) {
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) {
          event.preventDefault();
          zone.classList.add("drop-zone-over");
        });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function () { zone.classList.remove("drop-zone-over"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files) sendAll(event.dataTransfer.files);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-upload-form]").forEach(setUp);
  });
})();
