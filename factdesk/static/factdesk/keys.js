// Keyboard shortcuts. An element with data-key="c" is clicked (buttons, links, radio buttons and
// checkboxes) or focused (text fields) when that key is pressed outside a text field. "?" shows the
// help; Escape leaves a field.
// A <details data-panel> is a choice that a key opens (its <summary data-key>): the keys of what
// it holds act only while it is open (a shortcut acts on what is on screen), opening it focuses
// its [data-focus] element (so Enter chooses that), and Escape closes it. The claim page's confirm
// is one: "c", then 1-4 for a verdict or Enter for none.
// Ctrl+Enter (Cmd+Enter on a Mac) in a text area submits its form: a note, a reason, a wording.
// The claim page's forms post in place (htmx: hx-post) and its content is replaced; the keys are
// looked up when pressed, so they act on what the page shows now.
(function () {
  "use strict";
  // Inputs that take no typing: a key pressed on one of them is a shortcut, and a shortcut
  // that names one clicks it (a radio button is chosen, not merely focused).
  var CLICKED_INPUTS = /^(radio|checkbox|button|submit|reset|file|image|color|range)$/;
  function typing(el) {
    if (!el) return false;
    if (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)) return true;
    return el.tagName === "INPUT" && !CLICKED_INPUTS.test(el.type);
  }
  // Inside a closed <details> (not its summary): not on screen, though Chromium may still give it
  // boxes (content-visibility), so a closed panel's 1-4 must not confirm anything.
  function inClosedDetails(el) {
    var closed = el.closest("details:not([open])");
    return closed !== null && !(el.tagName === "SUMMARY" && el.parentElement === closed);
  }
  // What a key names: the first such element on screen, or a text field (its <details> is opened).
  function shortcut(key) {
    var named = document.querySelectorAll('[data-key="' + CSS.escape(key) + '"]');
    for (var i = 0; i < named.length; i++) {
      if (typing(named[i])) return named[i];
      if (named[i].getClientRects().length && !inClosedDetails(named[i])) return named[i];
    }
    return null;
  }
  function focusPanel(panel) {
    var first = panel.open && panel.querySelector("[data-focus]");
    if (first) first.focus();
  }
  function closePanels() {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-panel][open]"), function (panel) {
      if (panel.contains(document.activeElement)) document.activeElement.blur();
      panel.open = false;
    });
  }
  // "toggle" does not bubble: listen in the capture phase, so a panel that an in-place action (htmx)
  // brought into the page works as one that came with it.
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details[data-panel]")) focusPanel(event.target);
  }, true);
  // In-place actions (htmx, on the claim page): a refusal the server answers with an error status
  // (a permission, a lost connection) is said on the page, not dropped.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    showProblem(xhr.status === 403 ? "You may not do that." : "The server could not do that (" + xhr.status + "); nothing was changed. Reload the page.");
  });
  document.addEventListener("htmx:sendError", function () {
    showProblem("The server could not be reached; nothing was changed. Try again.");
  });
  function showProblem(text) {
    var main = document.querySelector("main");
    if (!main) return;
    var list = main.querySelector("ul.messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      main.insertBefore(list, main.firstChild);
    }
    var item = document.createElement("li");
    item.className = "error";
    item.textContent = text;
    list.appendChild(item);
  }
  // htmx binds the forms an in-place update brings in only when the update settles (20 ms on): a
  // key or a click in that window would post the form as a plain page load, or without the button
  // pressed (a verdict). Bind the form as the click or the submit starts: in the capture phase, so
  // that htmx's own listeners on the form still hear it. htmx.process leaves bound forms alone.
  function bindForm(event) {
    var form = event.target.closest && event.target.closest("form[hx-post]");
    if (form && window.htmx) window.htmx.process(form);
  }
  document.addEventListener("click", bindForm, true);
  document.addEventListener("submit", bindForm, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA") {
      var form = event.target.form;
      if (form) {
        event.preventDefault();
        // requestSubmit, not submit: the form's checks run (a resolution must be chosen), and what
        // was typed stays if they fail.
        form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      if (typing(document.activeElement)) document.activeElement.blur();
      closePanels();
      var help = document.getElementById("key-help");
      if (help) help.hidden = true;
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "?") {
      var box = document.getElementById("key-help");
      if (box) box.hidden = !box.hidden;
      event.preventDefault();
      return;
    }
    var target = shortcut(event.key);
    if (!target) return;
    event.preventDefault();
    if (typing(target)) {
      var details = target.closest("details");
      if (details) details.open = true;
      target.focus();
    } else {
      target.click();
      // A panel's summary: focus its choice now, not when the "toggle" event comes, so that a quick
      // Enter after the key already chooses it.
      if (target.tagName === "SUMMARY" && target.parentElement.matches("details[data-panel]")) {
        focusPanel(target.parentElement);
      }
    }
  });
  // Queue pages: j/k move the selection, Enter or o opens it.
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  if (rows.length) {
    var current = 0;
    var select = function (i) {
      rows[current].classList.remove("selected");
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows[current].classList.add("selected");
      rows[current].scrollIntoView({ block: "nearest" });
    };
    rows[0].classList.add("selected");
    document.addEventListener("keydown", function (event) {
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "j") { select(current + 1); event.preventDefault(); }
      else if (event.key === "k") { select(current - 1); event.preventDefault(); }
      else if (event.key === "Enter" || event.key === "o") {
        var link = rows[current].querySelector("a");
        if (link) { link.click(); event.preventDefault(); }
      }
    });
  }
  // Pipeline runs in progress: poll each one's progress and update its bar; reload when one ends.
  Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), function (bar) {
    if (bar.dataset.finished === "true") return;
    var poll = function () {
      fetch(bar.dataset.progressUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (!data.run) return;
          var progress = bar.querySelector("progress");
          progress.max = data.total; progress.value = data.done;
          bar.querySelector("[data-progress-label]").textContent = data.label + " · " + data.articles_done + " of " +
            data.articles_total + (data.articles_total === 1 ? " article" : " articles");
          if (data.finished) { window.location.reload(); } else { setTimeout(poll, 1500); }
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1500);
  });
})();
