/* Charts drawn from the page's own tables (Apache ECharts, SVG renderer): progressive
   enhancement, the table stays the source and stays shown.

   <table data-chart="bar|bar-stacked" data-chart-id="progress-chart"
          data-chart-label="What the chart shows (for screen readers)"
          [data-chart-unit="%"] [data-chart-max="100"]>
     <thead><tr><th scope="col">…</th>
       <th scope="col" data-series="assigned" [data-series-style="outline"]>Assigned</th>…
     <tbody><tr><th scope="row">A row's label</th><td data-value="3">3/15</td>…
   Each th[data-series] is a series; each body row with a th[scope=row] a category, read
   from the data-value of the cell under the series' heading (what the cell shows may be
   formatted). A <figure role="img"> with the chart goes just before the table.

   Labels never overlap: the bars are horizontal, the row labels on the y axis are wrapped
   to the width left for them (three lines at most, the rest cut with "…", the full text in
   the tooltip), each row is as tall as its bars and its label need, and the legend is a
   wrapping HTML list above the chart. Redrawn when the figure's width changes.
   No inline script: the CSP forbids it. */
(function () {
  "use strict";

  // Fills with at least 3:1 against white (WCAG 1.4.11), told apart by more than hue.
  var COLOURS = {
    target: "#5b6775",
    assigned: "#1f5f99",
    scheduled: "#6a3d9a",
    visited: "#a04d00",
    concluded: "#2e7d32",
    high: "#b3261e",
    medium: "#8a5a00",
    low: "#1f5f99",
    overdue: "#b3261e",
    rate: "#b3261e",
  };
  var FALLBACK = ["#1f5f99", "#a04d00", "#2e7d32", "#6a3d9a", "#b3261e", "#5b6775"];
  var FONT_SIZE = 12;
  var LINE_HEIGHT = 15;
  var MAX_LINES = 3;
  var INK = "#1d2733";
  var MUTED = "#5b6775";

  var lang = document.documentElement.lang || "vi";
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var charts = [];
  var measure = document.createElement("canvas").getContext("2d");

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

  function colour(key, n) {
    return COLOURS[key] || FALLBACK[n % FALLBACK.length];
  }

  function read(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return null;
    var series = [];
    Array.prototype.forEach.call(head.cells, function (cell, index) {
      var key = cell.getAttribute("data-series");
      if (key) {
        series.push({
          key: key,
          index: index,
          name: cell.textContent.trim(),
          outline: cell.getAttribute("data-series-style") === "outline",
          values: [],
        });
      }
    });
    var labels = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var th = row.querySelector("th[scope=row]");
        if (!th) return;
        labels.push(th.textContent.replace(/\s+/g, " ").trim());
        series.forEach(function (s) {
          var cell = row.cells[s.index];
          var value = cell ? parseFloat(cell.getAttribute("data-value")) : NaN;
          s.values.push(isNaN(value) ? 0 : value);
        });
      });
    });
    if (!series.length || !labels.length) return null;
    return { series: series, labels: labels };
  }

  function fits(text, width) {
    return measure.measureText(text).width <= width;
  }

  function cut(text, width) {
    while (text.length > 1 && !fits(text + "…", width)) text = text.slice(0, -1);
    return text.replace(/\s+$/, "") + "…";
  }

  // Greedy word wrap to `width` pixels, at most MAX_LINES lines (the last one cut).
  function wrap(text, width) {
    var lines = [];
    var line = "";
    text.split(" ").forEach(function (word) {
      while (!fits(word, width) && word.length > 1) {
        var n = word.length - 1;
        while (n > 1 && !fits(word.slice(0, n), width)) n--;
        if (line) lines.push(line);
        lines.push(word.slice(0, n));
        line = "";
        word = word.slice(n);
      }
      var next = line ? line + " " + word : word;
      if (fits(next, width)) {
        line = next;
      } else {
        if (line) lines.push(line);
        line = word;
      }
    });
    if (line) lines.push(line);
    if (lines.length > MAX_LINES) {
      lines = lines.slice(0, MAX_LINES);
      lines[MAX_LINES - 1] = cut(lines[MAX_LINES - 1], width);
    }
    return lines;
  }

  function option(chart, width) {
    var data = chart.data;
    var stacked = chart.type === "bar-stacked";
    var unit = chart.table.getAttribute("data-chart-unit") || "";
    var max = parseFloat(chart.table.getAttribute("data-chart-max"));
    var labelWidth = Math.round(Math.max(90, Math.min(260, width * 0.36)));
    measure.font = FONT_SIZE + "px " + chart.font;
    var wrapped = data.labels.map(function (label) { return wrap(label, labelWidth); });
    var lines = Math.max.apply(null, wrapped.map(function (w) { return w.length; }));
    var bars = stacked ? 1 : data.series.length;
    var thickness = stacked || bars === 1 ? 18 : bars > 3 ? 9 : 12;
    var group = bars * thickness + (bars - 1) * 3;
    var band = Math.max(group + 14, lines * LINE_HEIGHT + 10);
    var top = 8, bottom = 8, axis = 26;
    var format = function (value) { return numbers.format(value) + (unit ? "\u00a0" + unit : ""); };
    chart.height = data.labels.length * band + top + bottom + axis;
    return {
      animation: false,
      textStyle: { fontFamily: chart.font, fontSize: FONT_SIZE, color: INK },
      grid: { left: 4, right: 20, top: top, bottom: bottom, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        confine: true,
        formatter: function (params) {
          var index = params.length ? params[0].dataIndex : 0;
          var rows = params.map(function (p) {
            return p.marker + escape(p.seriesName) + ": <b>" + escape(format(p.value)) + "</b>";
          });
          return "<b>" + escape(data.labels[index]) + "</b><br>" + rows.join("<br>");
        },
      },
      xAxis: {
        type: "value",
        max: isNaN(max) ? undefined : max,
        minInterval: unit ? undefined : 1,
        splitNumber: width < 480 ? 3 : 5,
        axisLabel: { formatter: format, hideOverlap: true, color: MUTED, fontFamily: chart.font, fontSize: FONT_SIZE },
        splitLine: { lineStyle: { color: "#d5dbe2" } },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.labels,
        triggerEvent: true,
        axisTick: { show: false },
        axisLine: { lineStyle: { color: MUTED } },
        axisLabel: {
          color: INK,
          fontFamily: chart.font,
          fontSize: FONT_SIZE,
          lineHeight: LINE_HEIGHT,
          formatter: function (_value, index) { return wrapped[index].join("\n"); },
        },
      },
      series: data.series.map(function (s, n) {
        var fill = colour(s.key, n);
        return {
          type: "bar",
          name: s.name,
          data: s.values,
          stack: stacked ? "all" : undefined,
          barWidth: thickness,
          barGap: "30%",
          itemStyle: s.outline
            ? { color: "#ffffff", borderColor: fill, borderWidth: 1.5, borderType: "dashed" }
            : stacked
              ? { color: fill, borderColor: "#ffffff", borderWidth: 1 }  // the segments apart
              : { color: fill },
          emphasis: { disabled: true },
        };
      }),
    };
  }

  function legend(data) {
    var list = document.createElement("ul");
    list.className = "chart-legend";
    data.series.forEach(function (s, n) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "chart-swatch" + (s.outline ? " outline" : "");
      swatch.style[s.outline ? "borderColor" : "backgroundColor"] = colour(s.key, n);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s.name));
      list.appendChild(item);
    });
    return list;
  }

  function draw(chart) {
    var width = chart.figure.clientWidth;
    if (!width || width === chart.width) return;
    chart.width = width;
    var opts = option(chart, width);
    chart.canvas.style.height = chart.height + "px";
    chart.instance.resize({ height: chart.height });
    chart.instance.setOption(opts, { notMerge: true });
  }

  function setup(table) {
    if (table.getAttribute("data-charted") || typeof window.echarts === "undefined") return;
    var data = read(table);
    if (!data) return;
    table.setAttribute("data-charted", "1");
    var figure = document.createElement("figure");
    figure.className = "chart-figure";
    if (table.getAttribute("data-chart-id")) figure.id = table.getAttribute("data-chart-id");
    figure.setAttribute("role", "img");
    figure.setAttribute("aria-label", table.getAttribute("data-chart-label") || "");
    if (data.series.length > 1) figure.appendChild(legend(data));
    var canvas = document.createElement("div");
    canvas.className = "chart-canvas";
    figure.appendChild(canvas);
    var anchor = table.parentNode.classList.contains("table-responsive") ? table.parentNode : table;
    anchor.parentNode.insertBefore(figure, anchor);
    var chart = {
      table: table,
      type: table.getAttribute("data-chart"),
      data: data,
      figure: figure,
      canvas: canvas,
      font: window.getComputedStyle(table).fontFamily || "sans-serif",
      width: 0,
    };
    chart.instance = window.echarts.init(canvas, null, { renderer: "svg", height: 100 });
    // The full label of a cut one: hovering it shows its row's tooltip.
    chart.instance.on("mouseover", { componentType: "yAxis" }, function (event) {
      var index = typeof event.dataIndex === "number" ? event.dataIndex : data.labels.indexOf(event.value);
      if (index >= 0) chart.instance.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: index });
    });
    chart.instance.on("mouseout", { componentType: "yAxis" }, function () {
      chart.instance.dispatchAction({ type: "hideTip" });
    });
    charts.push(chart);
    draw(chart);
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(function () { window.requestAnimationFrame(function () { draw(chart); }); }).observe(figure);
    }
  }

  function setupAll(root) {
    // Charts of a region htmx replaced are gone: let their instances go.
    charts = charts.filter(function (chart) {
      if (document.contains(chart.figure)) return true;
      chart.instance.dispose();
      return false;
    });
    if (root.matches && root.matches("table[data-chart]")) setup(root);
    root.querySelectorAll("table[data-chart]").forEach(setup);
  }

  window.addEventListener("resize", function () {
    charts.forEach(draw);
  });
  document.addEventListener("DOMContentLoaded", function () { setupAll(document); });
  document.addEventListener("htmx:load", function (event) { setupAll(event.detail.elt); });
})();
