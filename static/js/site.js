// Page behaviour that htmx attributes alone cannot express. Loaded with `defer` on every page.
(function () {
  "use strict";

  // Times are shown in the viewer's own time zone: tell the server which it is.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (ignored) { /* an old browser: times stay in UTC, labelled so */ }

  function errorBox(elt) {
    var form = elt.closest ? elt.closest("form") : null;
    return (form && form.querySelector(".errors")) || document.getElementById("form-errors");
  }

  function say(box, text) {
    if (!box) return;
    box.innerHTML = "";
    var p = document.createElement("div");
    p.className = "flash error";
    p.textContent = text;
    box.appendChild(p);
  }

  // A pending verdict keeps waiting: a failed long poll is retried after a pause instead of
  // leaving the spinner forever (the server may be restarting, or the network dropped).
  function retryLater(elt) {
    var pending = elt.closest ? elt.closest("[data-pending]") : null;
    if (!pending) return false;
    var delay = Math.min(10000, 1000 * Math.pow(2, Number(pending.dataset.failures || 0)));
    pending.dataset.failures = String(Number(pending.dataset.failures || 0) + 1);
    setTimeout(function () { htmx.trigger(pending, "retry"); }, delay);
    return true;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (retryLater(elt)) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    say(errorBox(elt), "The server could not take this request (error " + status + "). Nothing was counted; please try again in a moment.");
  });

  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (retryLater(elt)) return;
    say(errorBox(elt), "The server could not be reached. Check your connection and submit again.");
  });
})();
