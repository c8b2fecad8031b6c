// The visit page on a poor connection: a finding that cannot be sent is kept on this device
// (localStorage) and sent again when the connection returns. A refusal from the server
// (a version conflict, a bad value) is shown and not retried.
(function () {
  "use strict";
  var PREFIX = "inspections:pending:";
  var note = document.getElementById("offline-note");
  var i18n = {
    vi: {
      saving: "Đang lưu…",
      saved: "Đã lưu.",
      photos: "Thêm ảnh, tài liệu",
      refused: "Máy chủ không nhận (phiên làm việc có thể đã hết hạn): hãy tải lại trang; nội dung vẫn được giữ trên máy này.",
      kept: "Chưa lưu được (mất kết nối). Kết quả được giữ trên máy này và sẽ tự gửi lại khi có mạng.",
      waiting: "%n kết quả đang chờ gửi lại.",
    },
    en: {
      saving: "Saving…",
      saved: "Saved.",
      photos: "Add photos or documents",
      refused: "The server refused the save (your session may have expired): reload the page; the text is kept on this device.",
      kept: "Not saved yet (no connection). The finding is kept on this device and will be sent when the connection returns.",
      waiting: "%n finding(s) waiting to be sent.",
    },
  };
  var t = i18n[document.documentElement.lang] || i18n.vi;

  function state(form, text, cls) {
    var el = form.querySelector(".save-state");
    if (!el) return;
    el.textContent = text;
    el.className = "save-state" + (cls ? " " + cls : "");
  }

  function pendingKeys() {
    var keys = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf(PREFIX) === 0) keys.push(k);
    }
    return keys;
  }

  function showPending() {
    var n = pendingKeys().length;
    if (!note) return;
    note.hidden = n === 0;
    note.textContent = n ? t.waiting.replace("%n", n) : "";
  }

  function fields(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) { data[name] = value; });
    return data;
  }

  function fill(form, data) {
    Object.keys(data).forEach(function (name) {
      if (name === "csrf_token") return;
      var inputs = form.querySelectorAll('[name="' + name + '"]');
      inputs.forEach(function (input) {
        if (input.type === "radio") input.checked = input.value === data[name];
        else input.value = data[name];
      });
    });
  }

  var inFlight = {};

  function send(form, data) {
    var key = form.dataset.key;
    if (inFlight[key]) return Promise.resolve();
    inFlight[key] = true;
    var body = new FormData();
    Object.keys(data).forEach(function (name) { body.append(name, data[name]); });
    // The page's current token: a draft kept from an older page may carry a stale one.
    var token = form.querySelector('[name="csrf_token"]');
    if (token) body.set("csrf_token", token.value);
    // The version this page last saved: a second edit made while the first was on its way
    // is based on the first, not on the version the page was loaded with.
    body.set("version", form.querySelector('[name="version"]').value);
    var sent = JSON.stringify(data);
    state(form, t.saving, "pending");
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json && response.status >= 500) throw new Error("server error: keep and retry");
      if (!json) {
        // Refused before the rules were asked (an expired session, a stale token).
        inFlight[key] = false;
        state(form, t.refused, "error");
        return;
      }
      return response.json().then(function (answer) {
        inFlight[key] = false;
        if (localStorage.getItem(PREFIX + key) === sent) localStorage.removeItem(PREFIX + key);
        if (answer.ok) {
          var versionField = form.querySelector('[name="version"]');
          var first = !versionField.value;
          versionField.value = answer.version;
          state(form, t.saved, "");
          if (first) {
            // The evidence form belongs to a saved finding: offer the page that has it.
            var link = document.createElement("a");
            link.href = location.pathname + "?saved=" + answer.finding_id + "#" + form.closest("article").id;
            link.textContent = t.photos;
            link.className = "add-photos";
            form.querySelector(".save-state").append(" ", link);
          }
        } else {
          // Refused on its merits: the text stays in the form for the user to decide.
          var extra = answer.current ? " — " + answer.current.by + ": " + (answer.current.text || "") : "";
          state(form, answer.message + extra, "error");
          if (answer.current) form.querySelector('[name="version"]').value = answer.current.version;
        }
        showPending();
      });
    }).catch(function () {
      inFlight[key] = false;
      localStorage.setItem(PREFIX + form.dataset.key, JSON.stringify(data));
      state(form, t.kept, "pending");
      showPending();
    });
  }

  function retryAll() {
    pendingKeys().forEach(function (k) {
      var form = document.querySelector('form.finding-form[data-key="' + k.slice(PREFIX.length) + '"]');
      if (form) send(form, JSON.parse(localStorage.getItem(k)));
    });
  }

  document.querySelectorAll("form.finding-form").forEach(function (form) {
    var kept = localStorage.getItem(PREFIX + form.dataset.key);
    if (kept) {
      fill(form, JSON.parse(kept));
      state(form, t.kept, "pending");
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = fields(form);
      localStorage.setItem(PREFIX + form.dataset.key, JSON.stringify(data));
      send(form, data);
    });
  });

  // Keep the photo's time when the file carries no EXIF time.
  document.querySelectorAll("form.evidence-form").forEach(function (form) {
    var input = form.querySelector('input[type="file"]');
    input.addEventListener("change", function () {
      if (input.files.length) form.querySelector('[name="taken_ms"]').value = input.files[0].lastModified;
    });
  });

  window.addEventListener("online", retryAll);
  setInterval(function () { if (navigator.onLine !== false) retryAll(); }, 5000);
  showPending();
  if (pendingKeys().length && navigator.onLine !== false) retryAll();
})();
