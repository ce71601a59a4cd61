/* The dashboard's charts (issue 17 point 4). Each <div data-chart="ID"> is drawn from the JSON in
   <script type="application/json" id="ID"> (no inline script: the page's Content-Security-Policy allows none).
   The JSON: {kind: "line"|"bar", categories: [...], series: [{name, data, color?}], stacked?, unit?, max?}.
   Every chart has its table next to it on the page; the chart is a picture of that table. */
(function () {
  "use strict";
  function option(spec) {
    var unit = spec.unit || "";
    return {
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "–" : v + unit; } },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", max: spec.max, axisLabel: { formatter: "{value}" + unit }, minInterval: 1 },
      series: spec.series.map(function (s) {
        var out = { name: s.name, type: spec.kind === "bar" ? "bar" : "line", data: s.data, connectNulls: false };
        if (spec.stacked) { out.stack = "all"; }
        if (s.color) { out.itemStyle = { color: s.color }; }
        return out;
      }),
    };
  }
  function draw(root) {
    if (!window.echarts) { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var spec;
      try { spec = JSON.parse(source.textContent); } catch (e) { return; }
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, el.getAttribute("data-theme") || null);
      var opts = option(spec);
      if (el.getAttribute("data-theme") === "dark") {  // the wall screen: large type on its own background
        opts.backgroundColor = "transparent";
        opts.textStyle = { fontSize: 20 };
        opts.legend.textStyle = { fontSize: 20 };
        opts.xAxis.axisLabel.fontSize = 20;
        opts.yAxis.axisLabel.fontSize = 18;
      }
      chart.setOption(opts, true);
      el.setAttribute("data-drawn", "1");
    });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
  window.crowdsafeCharts = { draw: draw };
})();
