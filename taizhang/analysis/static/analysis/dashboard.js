/*
 * The dashboard's charts (analysis/dashboard.html), drawn with the vendored Apache ECharts.
 *
 * The figures come from the page's <script type="application/json" id="analysis-data">
 * (Django's json_script): data only, so the page needs no inline script. A click on a bar or
 * a slice opens the page that lists the rows behind it (the ledger or the period board),
 * with the same query string the table under the chart links to.
 */
(function () {
  "use strict";

  // Printed charts: 16 × 7 cm at 96 dpi (dashboard.css), inside an A4 page's margins.
  var PRINT_WIDTH = 605;
  var PRINT_HEIGHT = 265;

  function drillUrl(urls, figure, filters) {
    var base = urls[figure.target];
    if (!base || !filters || !Object.keys(filters).length) return null;
    return base + "?" + new URLSearchParams(filters).toString();
  }

  function tooltipFor(figure) {
    // Every series of the category, the table-only ones (rank, grade, share) included.
    return function (params) {
      var first = Array.isArray(params) ? params[0] : params;
      var index = first.dataIndex;
      var lines = [figure.categories[index]];
      figure.series.forEach(function (series) {
        var value = series.data[index];
        if (value === "" || value === null || value === undefined) return;
        lines.push(series.name + "：" + value);
      });
      var div = document.createElement("div");
      lines.forEach(function (line, i) {
        if (i) div.appendChild(document.createElement("br"));
        div.appendChild(document.createTextNode(line));
      });
      return div.innerHTML;
    };
  }

  function optionFor(figure, charted, font) {
    var base = {
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: font },
      color: ["#b31b1b", "#1d5fa8", "#1e7b34", "#d99a00", "#6b4fa8", "#0f6466", "#98a2b0"],
      tooltip: { trigger: figure.kind === "pie" ? "item" : "axis", formatter: tooltipFor(figure) },
    };
    if (figure.kind === "pie") {
      var series = charted[0];
      base.legend = { bottom: 0, type: "scroll" };
      base.series = [{
        type: "pie",
        name: series.name,
        radius: ["35%", "65%"],
        center: ["50%", "45%"],
        label: { formatter: "{b}：{c}" },
        data: figure.categories.map(function (name, i) { return { name: name, value: series.data[i] }; }),
      }];
      return base;
    }
    var many = figure.categories.length > 6;
    base.grid = { left: 8, right: 16, top: charted.length > 1 ? 36 : 16, bottom: 8, containLabel: true };
    if (charted.length > 1) base.legend = { top: 0, type: "scroll" };
    base.xAxis = {
      type: "category",
      data: figure.categories,
      axisLabel: { interval: 0, rotate: many ? 30 : 0, width: many ? 96 : 120, overflow: "truncate" },
    };
    base.yAxis = { type: "value", name: figure.unit, minInterval: figure.unit === "万元" || figure.unit === "分" ? 0 : 1 };
    base.series = charted.map(function (series) {
      return {
        type: "bar",
        name: series.name,
        data: series.data,
        stack: figure.kind === "stacked" ? "total" : undefined,
        itemStyle: series.color ? { color: series.color } : undefined,
        label: { show: figure.kind !== "stacked", position: "top" },
        barMaxWidth: 48,
      };
    });
    return base;
  }

  function init() {
    var source = document.getElementById("analysis-data");
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var font = window.getComputedStyle(document.body).fontFamily;
    var charts = [];

    data.figures.forEach(function (figure) {
      var element = document.querySelector('.analysis-chart[data-figure="' + figure.key + '"]');
      if (!element) return;
      var charted = figure.series.filter(function (series) { return series.chart; });
      var chart = window.echarts.init(element, null, {
        renderer: "canvas",
        devicePixelRatio: Math.max(2, window.devicePixelRatio || 1),
      });
      chart.setOption(optionFor(figure, charted, font));
      chart.on("click", function (params) {
        var series = figure.kind === "pie" ? charted[0] : charted[params.seriesIndex];
        var url = series && drillUrl(data.urls, figure, series.filters[params.dataIndex]);
        if (url) window.location.assign(url);
      });
      charts.push(chart);
    });

    function resizeAll(size) {
      charts.forEach(function (chart) { chart.resize(size); });
    }
    window.addEventListener("resize", function () { resizeAll(); });
    window.addEventListener("beforeprint", function () {
      resizeAll({ width: PRINT_WIDTH, height: PRINT_HEIGHT });
    });
    window.addEventListener("afterprint", function () { resizeAll({ width: "auto", height: "auto" }); });

    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
