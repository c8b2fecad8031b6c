/* Pickers: Tom Select over plain inputs and selects (progressive enhancement).

   <input data-picker="users|units|teams" data-suggest="/units/suggest?kind=district">
     A text input that holds a username, a unit code or a team id. Typing two letters asks
     the suggestion endpoint (JSON {results: [{value, text, hint}]}, at most ~20, scoped by
     the server) and shows names; choosing puts the value in the input. What is typed and
     not chosen stays as typed, so a known code or username still works, as without
     JavaScript. `data-label`: the text shown for the input's current value.
   <select data-picker ...>, <select multiple data-picker>
     A searchable select (multiple: chips with a remove button); with data-suggest, more
     options are fetched as one types.
   <form data-keep-selection>
     The bulk assignment page: links inside it (sort headers, pager) carry the ticked
     units in ?selected=, and [data-select-page] ticks every box on the page.
   No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function suggestions(url, query, callback) {
    var sep = url.indexOf("?") === -1 ? "?" : "&";
    fetch(url + sep + "q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        callback(data.results || []);
      })
      .catch(function () {
        callback();
      });
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  function setup(el) {
    if (el.tomselect || typeof window.TomSelect === "undefined") {
      return;
    }
    var url = el.getAttribute("data-suggest");
    var isInput = el.tagName === "INPUT";
    var options = {
      valueField: "value",
      labelField: "text",
      searchField: ["text", "value", "hint"],
      maxOptions: 20,
      loadThrottle: 250,
      openOnFocus: !isInput,
      render: {
        option: function (item) {
          var hint = item.hint ? '<div class="small text-body-secondary">' + text(item.hint) + "</div>" : "";
          return "<div>" + text(item.text) + hint + "</div>";
        },
        item: function (item) {
          return "<div>" + text(item.text) + "</div>";
        },
        option_create: function (data) {
          return '<div class="create">' + text(data.input) + "</div>";
        },
        no_results: function () {
          return '<div class="no-results">' + text(el.getAttribute("data-empty") || "—") + "</div>";
        },
      },
    };
    if (url) {
      options.shouldLoad = function (query) {
        return query.trim().length >= 2;
      };
      options.load = function (query, callback) {
        suggestions(url, query, callback);
      };
      // The server matched (accent-free, on fields it does not send): show what it found.
      options.score = function () {
        return function () {
          return 1;
        };
      };
    }
    if (isInput) {
      // One value; what is typed and not chosen is kept as typed (a code, a username).
      options.maxItems = 1;
      options.create = true;
      options.createOnBlur = true;
      options.persist = false;
      options.delimiter = "\u0000";
      if (el.value) {
        options.options = [{ value: el.value, text: el.getAttribute("data-label") || el.value }];
        options.items = [el.value];
      }
    } else if (el.multiple) {
      options.plugins = ["remove_button", "checkbox_options"];
    }
    // Tom Select points the label at its own control; the original field, kept for the
    // form, keeps the label's text so it is never an unlabelled field (axe "label").
    var label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : "";
    new window.TomSelect(el, options);
    if (label && !el.getAttribute("aria-label")) {
      el.setAttribute("aria-label", label);
    }
  }

  function keepSelection(form) {
    function ticked() {
      var ids = [];
      form.querySelectorAll('input[name="unit_ids"]').forEach(function (box) {
        if (box.type === "hidden" || box.checked) {
          ids.push(box.value);
        }
      });
      return ids.join(",");
    }
    form.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (link && form.contains(link)) {
        var target = new URL(link.href, window.location.href);
        target.searchParams.set("selected", ticked());
        link.href = target.toString();
      }
      var all = event.target.closest("[data-select-page]");
      if (all) {
        event.preventDefault();
        form.querySelectorAll('input[type="checkbox"][name="unit_ids"]').forEach(function (box) {
          box.checked = true;
        });
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-picker]").forEach(setup);
    document.querySelectorAll("form[data-keep-selection]").forEach(keepSelection);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
