/* The page's small behaviours, each one optional: without JavaScript every form still
   submits and every link still goes where it says.
   - confirmation of irreversible steps: any form, button or link with data-confirm="…"
   - the error summary of a failed form takes the focus (GOV.UK pattern)
   - file inputs show the chosen file names in the user's language
   Loaded in <head> without defer so that the page is marked scripted before it is drawn. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  // --- confirmations ---------------------------------------------------------------
  var confirmed = new WeakSet();

  // The dialog's confirm button says what will happen: the label of the button pressed.
  function ask(text, onConfirm, action) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(text)) onConfirm();
      return;
    }
    document.getElementById("confirm-dialog-text").textContent = text;
    var yes = dialog.querySelector("button[value=confirm]");
    if (!yes.dataset.label) yes.dataset.label = yes.textContent;
    yes.textContent = (action || "").trim() || yes.dataset.label;
    dialog.returnValue = "";
    dialog.addEventListener("close", function handler() {
      dialog.removeEventListener("close", handler);
      if (dialog.returnValue === "confirm") onConfirm();
    });
    dialog.showModal();
  }
  window.askToConfirm = ask;  // for scripts whose step is not a form (field.js: discard a draft)

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var text = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!text || confirmed.has(form)) {
      confirmed.delete(form);
      return;
    }
    event.preventDefault();
    var button = submitter || form.querySelector("button:not([type=button]), input[type=submit]");
    var action = button ? (button.textContent || button.value) : "";
    ask(text, function () {
      confirmed.add(form);
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      } else {
        form.submit();
      }
    }, action);
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (!link) return;
    event.preventDefault();
    ask(link.getAttribute("data-confirm"), function () { window.location.href = link.href; }, link.textContent);
  });

  // --- forms -------------------------------------------------------------------------
  function enhance(root) {
    var summary = root.querySelector(".error-summary");
    if (summary) summary.focus();
    root.querySelectorAll(".file-input input[type=file]").forEach(function (input) {
      var names = input.closest(".file-input").querySelector(".file-names");
      if (!names || input.dataset.enhanced) return;
      input.dataset.enhanced = "1";
      input.addEventListener("change", function () {
        var list = Array.prototype.map.call(input.files, function (f) { return f.name; });
        names.textContent = list.length ? list.join(", ") : names.getAttribute("data-empty");
      });
    });
  }

  // Links in the error summary: move to the field and focus it, under its label.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']") || field;
    label.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  // A live list link or filter on a page without its list region: load the whole page.
  document.addEventListener("htmx:targetError", function (event) {
    var elt = event.detail.elt;
    if (elt.tagName === "A" && elt.href) window.location.href = elt.href;
    else if (elt.tagName === "FORM") elt.submit();
  });
  // Errors of a live update (offline, a 500): fall back to a full page load as well.
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (elt.tagName === "A" && elt.href) window.location.href = elt.href;
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
