// "Share my progress": <button data-share-url="…" data-share-text="…"> opens the
// phone's share sheet (Web Share API: Zalo, Messenger…) where the browser has one;
// elsewhere it stays hidden and the copy / Facebook / Zalo links beside it serve.
(function () {
  "use strict";
  document.querySelectorAll("[data-share-url]").forEach(function (button) {
    if (!navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: button.dataset.shareText,
        text: button.dataset.shareText,
        url: button.dataset.shareUrl
      }).catch(function () {});
    });
  });
})();
