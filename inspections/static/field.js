// The visit page on site, on a poor connection or none.
//
// Every save goes through a queue in IndexedDB (idb-keyval): the finding's fields and its
// photos stay on this device until the server accepts them. The page checks the server's
// rules first (from data-rules), so a save that cannot be accepted is never queued. A save
// the server refuses later (someone changed the finding meanwhile, the conclusion was
// issued) stays on the device as a draft with the server's message; only the user discards it.
// A service worker (/sw.js) keeps the visit page and its files for an offline reload.
(function () {
  "use strict";
  var root = document.getElementById("visit");
  if (!root || !window.idbKeyval) return;
  var kv = window.idbKeyval;
  var store = kv.createStore("inspections-field", "queue");
  var rules = JSON.parse(root.dataset.rules);
  var t = rules.messages;
  var visitId = root.dataset.visit;
  // Drafts belong to the member who made them: another login on this phone neither sees nor sends them.
  var userId = root.dataset.user;
  function mine(item) { return item && item.user === userId; }
  var note = document.getElementById("offline-note");
  var netState = document.getElementById("net-state");
  var inFlight = {};
  var photoUrls = {};
  // Versions this page itself moved on (per key: sent -> accepted), so that a save queued
  // while an earlier one was on its way builds on that one instead of clashing with it.
  var movedOn = {};

  function baseVersion(key, version) {
    var seen = movedOn[key] || {};
    var steps = 0;
    while (seen[version] !== undefined && steps++ < 100) version = seen[version];
    return version;
  }

  // --- the service worker: the page and its files, for an offline reload ------------------

  function pageFiles() {
    var urls = [location.pathname];
    document.querySelectorAll('link[rel="stylesheet"], link[rel="manifest"], script[src], img[src]').forEach(function (el) {
      var url = el.href || el.src;
      if (url && url.indexOf("blob:") !== 0) urls.push(url);
    });
    return urls;
  }

  function askWorker(message) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage(message);
    });
  }

  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(function () {});
    askWorker({ type: "cache", urls: pageFiles() });
  }

  var refreshTimer = null;
  function refreshCachedPage() {
    // The kept copy of the page must carry what was saved (and its versions).
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () { askWorker({ type: "cache", urls: pageFiles() }); }, 800);
  }

  // --- the form ---------------------------------------------------------------------------

  // A queue key is the member's id and the form's key: two members on one phone never share a draft.
  function keyOf(form) {
    return userId + "|" + form.dataset.key;
  }

  function formOf(key) {
    var formKey = key.slice(key.indexOf("|") + 1);
    return document.querySelector('form.finding-form[data-key="' + formKey + '"]');
  }

  function state(form, text, cls) {
    var el = form.querySelector(".save-state");
    if (!el) return;
    el.textContent = text;
    el.className = "save-state small mb-0 mt-1" + (cls ? " " + cls : "");
  }

  function fieldsOf(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || name === "version" || name === "file" || name === "taken_ms") return;
      data[name] = value;
    });
    return data;
  }

  function chosenFiles(form) {
    var files = [];
    form.querySelectorAll("input.file-input").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { files.push(f); });
    });
    return files;
  }

  function clearFiles(form) {
    form.querySelectorAll("input.file-input").forEach(function (input) { input.value = ""; });
    var chosen = form.querySelector(".chosen-files");
    if (chosen) chosen.textContent = "";
  }

  function fill(form, fields) {
    Object.keys(fields).forEach(function (name) {
      form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
        if (input.type === "radio") input.checked = input.value === fields[name];
        else input.value = fields[name];
      });
    });
  }

  // The server's rules, checked before anything is queued.
  function check(fields, files, alreadyQueued) {
    if (!fields.result) return t.choose_result;
    if (rules.needs_severity.indexOf(fields.result) >= 0 && (!fields.severity || fields.severity === "none")) {
      return t.needs_severity;
    }
    if ((fields.text || "").length > rules.max_text || (fields.named_individuals || "").length > rules.max_text) {
      return t.too_long;
    }
    if (files.length + alreadyQueued > rules.max_files) return t.too_many_files;
    for (var i = 0; i < files.length; i++) {
      var name = files[i].name.toLowerCase();
      var known = rules.endings.some(function (e) { return name.slice(-e.length) === e; });
      if (!known || (files[i].type && rules.types.indexOf(files[i].type) < 0)) return t.bad_type;
      if (files[i].size > rules.max_bytes) return t.too_large;
    }
    return null;
  }

  // --- the queue --------------------------------------------------------------------------

  // Read and change one queued item in one IndexedDB transaction, so that an edit made
  // while a save is on its way is never lost or sent twice. `decide` returns the new
  // item, null to remove it, or undefined to leave it.
  function atomically(key, decide) {
    return store("readwrite", function (objects) {
      return new Promise(function (resolve, reject) {
        var request = objects.get(key);
        request.onerror = function () { reject(request.error); };
        request.onsuccess = function () {
          var out = decide(request.result);
          if (out === null) objects.delete(key);
          else if (out !== undefined) objects.put(out, key);
          resolve(out);
        };
      });
    });
  }

  function enqueue(form, fields, files) {
    var key = keyOf(form);
    return atomically(key, function (old) {
      if (old && !mine(old)) old = undefined; // another member's draft under the same key is replaced
      var item = {
        key: key,
        user: userId,
        visit: visitId,
        action: form.action,
        fields: fields,
        version: form.querySelector('[name="version"]').value,
        files: old ? old.files : [], // a photo is never dropped by a later edit
        status: "pending",
        message: "",
        queued: false,
        stamp: Date.now() + Math.random(),
      };
      if (old && old.status === "pending") {
        // Still based on what the server had when the first edit was made.
        item.version = old.version;
        item.queued = old.queued;
      }
      files.forEach(function (f) {
        item.files.push({ blob: f, name: f.name, type: f.type, lastModified: f.lastModified });
      });
      return item;
    });
  }

  function send(key) {
    if (inFlight[key]) return Promise.resolve();
    inFlight[key] = true;
    return kv.get(key, store).then(function (item) {
      if (!mine(item) || item.status !== "pending") {
        inFlight[key] = false;
        return;
      }
      var form = formOf(key);
      var body = new FormData();
      Object.keys(item.fields).forEach(function (name) { body.append(name, item.fields[name]); });
      var token = document.querySelector('form.finding-form [name="csrf_token"]');
      if (token) body.set("csrf_token", token.value);
      var version = baseVersion(key, item.version || "");
      item.sentVersion = version;
      body.set("version", version);
      if (item.queued) body.set("queued", "1");
      item.files.forEach(function (f) {
        body.append("file", f.blob, f.name);
        body.append("taken_ms", f.lastModified || "");
      });
      if (form) state(form, t.saving, "pending");
      return fetch(item.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json && response.status >= 500) throw new Error("server error: keep and retry");
        if (!json) {
          // Refused before the rules were asked (an expired session): kept, sent after login.
          inFlight[key] = false;
          if (form) state(form, t.login, "error");
          return;
        }
        return response.json().then(function (answer) {
          inFlight[key] = false;
          return settle(key, item, answer, form);
        });
      }).catch(function () {
        inFlight[key] = false;
        return atomically(key, function (cur) {
          if (!cur || cur.status !== "pending") return undefined;
          cur.queued = true; // sent later: a refusal then also reaches the inbox
          return cur;
        }).then(function (cur) { if (cur && form) showItem(form, cur); }).then(render);
      });
    });
  }

  function settle(key, sent, answer, form) {
    if (answer.ok) {
      movedOn[key] = movedOn[key] || {};
      movedOn[key][sent.sentVersion] = String(answer.version);
      if (form) {
        form.querySelector('[name="version"]').value = answer.version;
        applyAnswer(form, answer);
        state(form, t.saved, "");
      }
      refreshCachedPage();
      return atomically(key, function (cur) {
        if (!cur || cur.stamp === sent.stamp) return null;
        // Edited again while this save was on its way: the rest builds on it.
        cur.files = cur.files.slice(sent.files.length);
        return cur;
      }).then(function (rest) {
        if (rest) return send(key);
      }).then(render);
    }
    var extra = answer.current ? " — " + answer.current.by + ": " + (answer.current.text || "") : "";
    return atomically(key, function (cur) {
      var draft = cur || sent;
      draft.status = "refused";
      draft.message = answer.message + extra;
      if (answer.current) draft.version = String(answer.current.version);
      return draft;
    }).then(function (draft) {
      if (answer.current && form) form.querySelector('[name="version"]').value = answer.current.version;
      if (form) showItem(form, draft);
    }).then(render);
  }

  function applyAnswer(form, answer) {
    var article = form.closest("article");
    var scores = document.getElementById("scores");
    if (scores && answer.scores_html) scores.innerHTML = answer.scores_html;
    var overall = document.getElementById("overall-score");
    if (overall && answer.overall !== undefined) overall.textContent = answer.overall;
    if (answer.progress) {
      var total = document.getElementById("progress-total");
      total.querySelector(".done").textContent = answer.progress.done;
      total.querySelector(".total").textContent = answer.progress.total;
      Object.keys(answer.progress.areas).forEach(function (code) {
        var badge = document.querySelector('[data-progress="' + code + '"]');
        var pair = answer.progress.areas[code];
        if (!badge) return;
        badge.textContent = pair[0] + " / " + pair[1];
        badge.classList.toggle("text-bg-success", pair[0] === pair[1]);
        badge.classList.toggle("text-bg-secondary", pair[0] !== pair[1]);
      });
    }
    if (article) {
      var gallery = article.querySelector(".gallery");
      if (gallery && answer.gallery_html) gallery.outerHTML = answer.gallery_html;
      article.classList.add("recorded");
      article.classList.remove("draft");
      article.querySelector(".draft-badge").hidden = true;
      form.querySelector(".discard-draft").hidden = true;
      showPhotos(form, []);
    }
  }

  function showPhotos(form, files) {
    var box = form.querySelector(".pending-photos");
    var key = form.dataset.key;
    (photoUrls[key] || []).forEach(function (url) { URL.revokeObjectURL(url); });
    photoUrls[key] = [];
    box.textContent = "";
    files.forEach(function (f) {
      var figure = document.createElement("figure");
      figure.className = "pending-photo m-0";
      if ((f.type || "").indexOf("image/") === 0) {
        var img = document.createElement("img");
        var url = URL.createObjectURL(f.blob);
        photoUrls[key].push(url);
        img.src = url;
        img.alt = f.name;
        img.width = 64;
        img.height = 64;
        img.className = "rounded border object-fit-cover";
        figure.append(img);
      }
      var caption = document.createElement("figcaption");
      caption.className = "small text-body-secondary";
      caption.textContent = f.name + " · " + t.photo_waiting;
      figure.append(caption);
      box.append(figure);
    });
  }

  function showItem(form, item) {
    var article = form.closest("article");
    var refused = item.status === "refused";
    article.classList.toggle("draft", refused);
    article.querySelector(".draft-badge").hidden = !refused;
    form.querySelector(".discard-draft").hidden = !refused;
    showPhotos(form, item.files);
    if (refused) state(form, t.refused.replace("%m", item.message), "error");
    else state(form, t.kept, "pending");
    var area = form.closest("details.area");
    if (area) area.open = true;
  }

  function render() {
    return kv.values(store).then(function (items) {
      var here = items.filter(function (i) { return mine(i) && i.visit === visitId; });
      var waiting = here.filter(function (i) { return i.status === "pending"; }).length;
      var drafts = here.filter(function (i) { return i.status === "refused"; }).length;
      var lines = [];
      if (waiting) lines.push(t.waiting.replace("%n", waiting));
      if (drafts) lines.push(t.drafts.replace("%n", drafts));
      note.hidden = lines.length === 0;
      note.textContent = lines.join(" ");
    });
  }

  function sendAll() {
    return kv.values(store).then(function (items) {
      items.forEach(function (i) { if (mine(i) && i.status === "pending") send(i.key); });
    });
  }

  function online() {
    if (netState) netState.hidden = navigator.onLine !== false;
  }

  // --- wiring -----------------------------------------------------------------------------

  document.querySelectorAll("form.finding-form").forEach(function (form) {
    var key = keyOf(form);
    var severity = form.querySelector('[name="severity"]');

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = fieldsOf(form);
      var files = chosenFiles(form);
      kv.get(key, store).then(function (old) {
        var problem = check(fields, files, mine(old) ? old.files.length : 0);
        if (problem) {
          state(form, problem, "error");
          if (problem === t.needs_severity) severity.focus();
          return;
        }
        return enqueue(form, fields, files).then(function (item) {
          clearFiles(form);
          showItem(form, item);
          return render().then(function () { return send(key); });
        });
      });
    });

    // One tap per result: it is saved at once, unless the server would refuse it.
    form.querySelectorAll('input[name="result"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (rules.needs_severity.indexOf(radio.value) >= 0 && severity.value === "none") {
          state(form, t.needs_severity, "hint");
          severity.focus();
          return;
        }
        form.requestSubmit();
      });
    });
    severity.addEventListener("change", function () {
      if (form.querySelector('input[name="result"]:checked')) form.requestSubmit();
    });
    // The photos go with the finding, in the same step.
    form.querySelectorAll("input.file-input").forEach(function (input) {
      input.addEventListener("change", function () {
        var n = chosenFiles(form).length;
        form.querySelector(".chosen-files").textContent = n ? t.files.replace("%n", n) : "";
        if (n && form.querySelector('input[name="result"]:checked')) form.requestSubmit();
        else if (n) state(form, t.choose_result, "hint");
      });
    });
    var discard = form.querySelector(".discard-draft");
    discard.addEventListener("click", function () {
      window.askToConfirm(t.discard, function () {
        kv.del(key, store).then(function () { location.reload(); });
      }, discard.textContent);
    });

    // A save kept by the earlier version of this page (localStorage) moves into the queue.
    var legacy = localStorage.getItem("inspections:pending:" + form.dataset.key);
    var moved = Promise.resolve();
    if (legacy) {
      var fields = JSON.parse(legacy);
      ["csrf_token", "version", "file", "taken_ms"].forEach(function (n) { delete fields[n]; });
      moved = kv.get(key, store).then(function (item) {
        if (!mine(item)) return enqueue(form, fields, []);
      }).then(function () { localStorage.removeItem("inspections:pending:" + form.dataset.key); });
    }
    moved.then(function () { return kv.get(key, store); }).then(function (item) {
      if (!mine(item)) return;
      fill(form, item.fields);
      showItem(form, item);
    });
  });

  // --- the gallery: photos open in the page -----------------------------------------------

  var box = document.getElementById("lightbox");
  var shown = null;
  function openPhoto(link) {
    shown = link;
    box.querySelector(".lightbox-image").src = link.href;
    box.querySelector(".lightbox-image").alt = link.dataset.caption || "";
    box.querySelector("#lightbox-caption").textContent = link.dataset.caption || "";
    if (!box.open) box.showModal();
  }
  if (box && box.showModal) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a.gallery-item");
      if (!link) return;
      event.preventDefault();
      openPhoto(link);
    });
    box.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var all = Array.prototype.slice.call(shown.closest(".gallery").querySelectorAll("a.gallery-item"));
        var next = all[(all.indexOf(shown) + Number(button.dataset.step) + all.length) % all.length];
        if (next) openPhoto(next);
      });
    });
    box.addEventListener("click", function (event) {
      if (event.target === box) box.close(); // a tap beside the photo
    });
  }

  // The area of the finding in the address (#c12) opens by itself.
  if (location.hash) {
    var target = document.querySelector(location.hash.replace(/[^#\w-]/g, ""));
    var area = target && target.closest("details.area");
    if (area) {
      area.open = true;
      target.scrollIntoView();
    }
  }

  window.addEventListener("online", function () { online(); sendAll(); });
  window.addEventListener("offline", online);
  setInterval(function () { if (navigator.onLine !== false) sendAll(); }, 5000);
  online();
  render().then(function () { if (navigator.onLine !== false) sendAll(); });
})();
