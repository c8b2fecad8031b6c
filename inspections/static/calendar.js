/* Calendars: FullCalendar's month and week views over the server-rendered tables
   (progressive enhancement: without JavaScript, or if FullCalendar fails to load, the
   tables are the calendar).

   <div data-calendar data-events-url data-initial-date data-initial-view data-today
        data-morning="08:00-11:30" data-afternoon="13:30-17:00" [data-csrf] data-msg-*>
     <div data-calendar-mount></div> <p data-calendar-full hidden>
   </div>
   <p data-calendar-status role="status">   the aria-live line for the server's answers
   <div data-calendar-fallback>            the tables, hidden once the calendar is drawn

   Events come from the server as JSON, scoped there (who sees which visit is decided in
   one place, not here). A proposed item (an editable event with a moveUrl) dragged to
   another day posts to its move route with the form's fields and asks for JSON: the same
   validated service as the form. A refusal puts the event back and shows the message.
   No inline script: the CSP forbids it. */
(function () {
  "use strict";

  // The server sends Vietnam's wall-clock times without an offset and the calendar runs in
  // UTC, so 08:00 shows as 08:00 in every browser, whatever its own time zone.
  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  function minutes(hhmm) {
    var parts = hhmm.split(":");
    return Number(parts[0]) * 60 + Number(parts[1]);
  }

  function clock(total) {
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return pad(Math.floor(total / 60)) + ":" + pad(total % 60);
  }

  function hours(root, name) {
    var range = (root.getAttribute("data-" + name) || "").split("-");
    return range.length === 2 ? { startTime: range[0], endTime: range[1] } : null;
  }

  function say(status, message, kind) {
    status.textContent = message || "";
    status.className = "calendar-status" + (message ? " alert py-2 mb-2 alert-" + kind : "");
  }

  function eventSource(root, status) {
    var url = root.getAttribute("data-events-url");
    var full = root.querySelector("[data-calendar-full]");
    return function (info, success, failure) {
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "start=" + isoDay(info.start) + "&end=" + isoDay(info.end), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("events: " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (full) {
            full.hidden = !data.full;
          }
          success(data.events || []);
        })
        .catch(function (error) {
          say(status, root.getAttribute("data-msg-load-failed"), "danger");
          failure(error);
        });
    };
  }

  // The proposed-visits list under the calendar shows the same item: keep its date and its
  // form in step, so that sending the form later does not move the item back.
  function updateRow(id, event, when) {
    var row = document.getElementById(id);
    if (!row) {
      return;
    }
    var text = row.querySelector("[data-when]");
    var day = row.querySelector("input[name=day]");
    var slot = row.querySelector("select[name=slot]");
    if (text && when) {
      text.textContent = when;
    }
    if (day) {
      var ymd = event.start.slice(0, 10).split("-");
      day.value = ymd[2] + "/" + ymd[1] + "/" + ymd[0];
    }
    if (slot) {
      slot.value = event.extendedProps.slot;
    }
  }

  function onDrop(root, status, info) {
    var event = info.event;
    var url = event.extendedProps.moveUrl;
    var csrf = root.getAttribute("data-csrf");
    if (!url || !csrf) {
      info.revert();
      return;
    }
    // A drop in the week view's morning hours is a morning, later an afternoon; in the
    // month view the time (so the half-day) stays as it was.
    var afternoon = hours(root, "afternoon");
    var at = event.start.getUTCHours() * 60 + event.start.getUTCMinutes();
    var slot = afternoon && at >= minutes(afternoon.startTime) - 60 ? "afternoon" : "morning";
    var body = new FormData();
    body.append("csrf_token", csrf);
    body.append("day", isoDay(event.start));
    body.append("slot", slot);
    say(status, root.getAttribute("data-msg-moving"), "info");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { ok: response.ok && data.ok, data: data };
          },
          function () {
            return { ok: false, data: {} }; // not JSON: an expired session or form
          }
        );
      })
      .then(function (answer) {
        if (!answer.ok) {
          info.revert();
          say(status, answer.data.message || root.getAttribute("data-msg-failed"), "danger");
          return;
        }
        var moved = answer.data.event;
        event.setProp("title", moved.title);
        event.setDates(moved.start, moved.end);
        event.setExtendedProp("slot", moved.extendedProps.slot);
        updateRow(moved.id, moved, answer.data.when);
        say(status, answer.data.message, "success");
      })
      .catch(function () {
        info.revert();
        say(status, root.getAttribute("data-msg-failed"), "danger");
      });
  }

  function mount(root) {
    var target = root.querySelector("[data-calendar-mount]");
    var status = document.querySelector("[data-calendar-status]");
    if (!target || !status || typeof window.FullCalendar === "undefined") {
      return;
    }
    var morning = hours(root, "morning");
    var afternoon = hours(root, "afternoon");
    var working = [morning, afternoon].filter(Boolean).map(function (h) {
      return { daysOfWeek: [1, 2, 3, 4, 5], startTime: h.startTime, endTime: h.endTime };
    });
    var vietnamese = /^vi\b/i.test(document.documentElement.lang || "");
    // Seven time columns do not fit a phone: there the week is a list of its visits.
    var narrow = window.matchMedia("(max-width: 575.98px)").matches;
    var week = narrow ? "listWeek" : "timeGridWeek";
    var view = root.getAttribute("data-initial-view") || "dayGridMonth";
    // The page is drawn first, so FullCalendar measures a visible box.
    root.hidden = false;
    var calendar = new window.FullCalendar.Calendar(target, {
      locale: vietnamese ? "vi" : "en",
      timeZone: "UTC",
      now: root.getAttribute("data-today"),
      initialDate: root.getAttribute("data-initial-date"),
      initialView: view === "timeGridWeek" ? week : view,
      firstDay: 1,
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth," + week },
      // Words, not icon fonts: an icon has no accessible name (axe role-img-alt).
      buttonIcons: false,
      buttonText: vietnamese ? {} : { prev: "Previous", next: "Next", today: "Today", month: "Month", week: "Week" },
      views: { listWeek: { buttonText: vietnamese ? "Tuần" : "Week", displayEventTime: true } },
      height: "auto",
      fixedWeekCount: false,
      // The title names the half-day ("Sáng: ..."), as the server's table does.
      displayEventTime: false,
      eventDisplay: "block",
      allDaySlot: false,
      // Half an hour before the morning to the end of the afternoon: both half-days in view.
      slotMinTime: morning ? clock(minutes(morning.startTime) - 30) : "07:30",
      slotMaxTime: afternoon ? afternoon.endTime : "17:30",
      slotDuration: "00:30:00",
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      businessHours: working.length ? working : false,
      editable: false,
      eventDurationEditable: false,
      // A day cell is named by its number alone, which hides the visits written in it
      // (axe label-content-name-mismatch): its text is its name.
      dayCellDidMount: function (info) {
        info.el.removeAttribute("aria-labelledby");
      },
      events: eventSource(root, status),
      eventDrop: function (info) {
        onDrop(root, status, info);
      },
    });
    calendar.render();
    document.querySelectorAll("[data-calendar-fallback]").forEach(function (el) {
      el.hidden = true;
    });
  }

  function start() {
    document.querySelectorAll("[data-calendar]").forEach(mount);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
