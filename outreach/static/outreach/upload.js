// Shows what was chosen before it is sent: a small preview of each picture,
// the name and size of each document, and a warning for files that are too big.
(function () {
  "use strict";
  var LIMIT = 20 * 1024 * 1024;

  function sizeText(bytes) {
    if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function show(input) {
    var list = document.getElementById(input.dataset.preview);
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      if (file.type.indexOf("image/") === 0 && window.URL) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        img.onload = function () { URL.revokeObjectURL(img.src); };
        // Not a picture the phone can show: the server will say so in words.
        img.onerror = function () { URL.revokeObjectURL(img.src); img.remove(); };
        item.appendChild(img);
      }
      var caption = document.createElement("small");
      caption.textContent = file.name + " · " + sizeText(file.size);
      if (file.size > LIMIT) {
        caption.className = "outreach-too-big";
        caption.textContent += " — " + (input.form.dataset.tooBig || "too big");
      }
      item.appendChild(caption);
      list.appendChild(item);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-outreach-upload] input[type=file]")) show(input);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-outreach-upload]")) return;
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
    }
  });
})();
