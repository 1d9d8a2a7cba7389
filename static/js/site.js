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

  // --- Wide content on narrow screens -------------------------------------------------------
  // Display formulas, tables and code come with tabindex=0 (a box that scrolls must be reachable
  // by keyboard); those that fit lose it, so Tab does not stop at every formula. An inline
  // formula wider than its line becomes such a box too.
  function fitScrollBoxes(root) {
    (root || document).querySelectorAll(".math.inline").forEach(function (span) {
      span.classList.remove("wide", "scroll-box");
      var room = span.parentElement ? span.parentElement.clientWidth : 0;
      if (room && span.getBoundingClientRect().width > room) span.classList.add("wide", "scroll-box");
    });
    (root || document).querySelectorAll(".scroll-box").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("role")) {
          box.setAttribute("role", "group");
          box.setAttribute("aria-label", box.classList.contains("math") ? "formula" : "scrollable content");
        }
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  var fitting = false;
  function fitSoon() {
    if (fitting) return;
    fitting = true;
    requestAnimationFrame(function () { fitting = false; fitScrollBoxes(document); });
  }
  document.addEventListener("DOMContentLoaded", fitSoon);
  window.addEventListener("resize", fitSoon);
  if (document.fonts) document.fonts.ready.then(fitSoon);  // the math font changes the widths
  document.addEventListener("htmx:afterSettle", fitSoon);

  // --- The code editor (Ace) ----------------------------------------------------------------
  // Tab indents inside the editor, so the editor would trap a keyboard user (WCAG 2.1.2): Esc
  // moves the focus to the editor's frame and takes the editor out of the tab order, so the
  // next Tab (or Shift+Tab) leaves it; once the focus is elsewhere, Tab can enter it again.
  // The page says so next to the editor.
  function setUpEditor(widget) {
    var editor = widget.editor;
    if (!editor || widget.dataset.keyboardReady) return;
    var frame = widget.closest(".django-ace-editor") || widget;
    var input = editor.textInput.getElement();
    frame.setAttribute("tabindex", "-1");
    var label = document.querySelector("label[for='" + (widget.nextElementSibling || {}).id + "']");
    var name = (label ? label.textContent.trim() + ". " : "") + "Code editor: press Escape, then Tab, to leave it";
    editor.setOption("textInputAriaLabel", name);
    editor.commands.addCommand({
      name: "leaveEditor",
      bindKey: { win: "Esc", mac: "Esc" },
      exec: function () {
        input.setAttribute("tabindex", "-1");
        frame.focus();  // not editor.blur(): a blur to nowhere would put the editor back in the tab order
      },
      readOnly: true,
    });
    frame.addEventListener("focusout", function (event) {
      if (!frame.contains(event.relatedTarget)) input.setAttribute("tabindex", "0");
    });
    widget.dataset.keyboardReady = "1";
    if (label) {
      label.addEventListener("click", function (event) { event.preventDefault(); editor.focus(); });
    }
  }
  window.addEventListener("load", function () {
    document.querySelectorAll(".django-ace-widget").forEach(setUpEditor);
  });

  // --- Restoring a past submission into the answer form --------------------------------------
  // Without JavaScript the link reloads the page with that answer in the form; with it, the
  // answer is fetched and put in place, and the editor's undo (Ctrl+Z) brings the code back.
  function restore(link, text) {
    var form = document.querySelector("form.answer");
    if (!form) return false;
    var widget = form.querySelector(".django-ace-widget");
    if (widget && widget.editor) {
      widget.editor.setValue(text, -1);
      widget.editor.focus();
    } else {
      var choices = form.querySelectorAll("input[type=radio], input[type=checkbox]");
      if (choices.length) {
        var picked = [];
        try { picked = JSON.parse(text).map(String); } catch (e) { return false; }
        choices.forEach(function (input) { input.checked = picked.indexOf(input.value) !== -1; });
        choices[0].focus();
      } else {
        var input = form.querySelector("input[name$=answer], textarea[name$=answer]");
        if (!input) return false;
        input.value = text;
        input.dispatchEvent(new Event("input", { bubbles: true }));  // the symbolic preview follows
        input.focus();
      }
    }
    var status = document.getElementById("restore-status");
    if (status) status.textContent = link.dataset.restored || "Restored into the answer form.";
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-answer-url]") : null;
    if (!link) return;
    event.preventDefault();
    fetch(link.dataset.answerUrl, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.text(); })
      .then(function (text) { if (!restore(link, text)) window.location = link.href; })
      .catch(function () { window.location = link.href; });
  });
})();
