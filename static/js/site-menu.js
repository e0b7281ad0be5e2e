/* The site menu on a phone: a drawer under the header. Without JavaScript a
   checkbox and its label open it; here the label becomes a real button that
   says whether the drawer is open (aria-expanded), Escape and a tap outside
   close it, and focus goes back to the button. On a wide screen the menu is
   inline and the button is not shown (static/css/kindsteps.css). */
(function () {
  "use strict";

  function setUp() {
    var header = document.querySelector(".site-header");
    var checkbox = document.getElementById("site-menu-toggle");
    var label = document.querySelector("label[for='site-menu-toggle']");
    var menu = document.getElementById("site-menu");
    if (!header || !checkbox || !label || !menu) return;

    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className;
    button.innerHTML = label.innerHTML;
    button.setAttribute("aria-controls", menu.id);
    button.setAttribute("aria-expanded", "false");
    label.replaceWith(button);
    checkbox.remove();

    function isOpen() {
      return header.hasAttribute("data-menu-open");
    }
    function open() {
      header.setAttribute("data-menu-open", "");
      button.setAttribute("aria-expanded", "true");
    }
    function close(returnFocus) {
      if (!isOpen()) return;
      header.removeAttribute("data-menu-open");
      button.setAttribute("aria-expanded", "false");
      if (returnFocus) button.focus();
    }

    button.addEventListener("click", function () {
      if (isOpen()) close(false); else open();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        close(menu.contains(document.activeElement) || document.activeElement === button);
      }
    });
    document.addEventListener("click", function (event) {
      if (isOpen() && !menu.contains(event.target) && !button.contains(event.target)) close(false);
    });
    // Tabbing out of the open drawer closes it, as leaving a menu does.
    menu.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (isOpen() && next && !menu.contains(next) && next !== button) close(false);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
