// The live view's chart: reads the JSON script tags of the data part and draws people in and out
// per hour with the vendored ECharts; drawn again after htmx swaps the data part (every 30 s).
(function () {
  "use strict";
  var chart = null;
  var chosen = null;

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw() {
    var holder = document.getElementById("live-chart");
    var data = read("live-chart-data");
    var labels = read("live-chart-labels");
    if (!holder || !data || !labels || typeof echarts === "undefined") {
      return;
    }
    var select = document.getElementById("live-series");
    if (select) {
      if (chosen && Array.prototype.some.call(select.options, function (o) { return o.value === chosen; })) {
        select.value = chosen;
      }
      select.onchange = function () { chosen = select.value; draw(); };
    }
    var key = select ? select.value : "all";
    var series = data.series.filter(function (s) { return s.key === key; })[0] || data.series[0];
    if (chart) {
      chart.dispose();
    }
    chart = echarts.init(holder);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 36, right: 12, top: 32, bottom: 24 },
      xAxis: { type: "category", data: data.hours },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels.entries, type: "bar", data: series.entries, itemStyle: { color: "#2f7d32" } },
        { name: labels.exits, type: "bar", data: series.exits, itemStyle: { color: "#1f5fa8" } },
        { name: labels.denied, type: "line", data: series.denied, itemStyle: { color: "#8a6d3b" } },
        { name: labels.fevers, type: "line", data: series.fevers, itemStyle: { color: "#b02a37" } }
      ]
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "live-data") {
      draw();
    }
  });
  window.addEventListener("resize", function () { if (chart) { chart.resize(); } });
})();
