// The contact-tracing graph: reads the JSON script tag of the trace page and draws a force graph
// with the vendored ECharts (the traced person fixed in the middle, contacts coloured by grade).
// Also "select all residents" for the screening action.
(function () {
  "use strict";
  var COLOURS = ["#212529", "#b02a37", "#e67e22", "#1f5fa8"];
  var chart = null;

  function draw() {
    var holder = document.getElementById("trace-graph");
    var node = document.getElementById("trace-graph-data");
    if (!holder || !node || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(node.textContent);
    var width = holder.clientWidth || 320;
    var height = holder.clientHeight || 360;
    var nodes = data.nodes.map(function (n) {
      var item = {
        id: n.id,
        name: n.name,
        category: n.category,
        symbolSize: n.symbolSize,
        symbol: n.visitor ? "diamond" : "circle",
        itemStyle: n.uncertain ? { opacity: 0.55 } : undefined
      };
      if (n.fixed) {
        item.fixed = true;
        item.x = width / 2;
        item.y = height / 2;
      }
      return item;
    });
    if (chart) {
      chart.dispose();
    }
    chart = echarts.init(holder);
    chart.setOption({
      animation: false,
      color: COLOURS,
      tooltip: {
        formatter: function (p) {
          return p.dataType === "edge" ? echarts.format.encodeHTML(String(p.data.value || "")) : echarts.format.encodeHTML(p.name);
        }
      },
      legend: [{ top: 0, data: data.categories.map(function (c) { return c; }) }],
      series: [{
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        categories: data.categories.map(function (c) { return { name: c }; }),
        data: nodes,
        links: data.links,
        label: { show: data.nodes.length <= 40, position: "right", fontSize: 11 },
        force: { repulsion: 120, edgeLength: [40, 140], gravity: 0.08 },
        lineStyle: { color: "source", opacity: 0.4 }
      }]
    });
  }

  function selectAll() {
    var all = document.getElementById("trace-select-all");
    if (!all) {
      return;
    }
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(document.querySelectorAll("input.trace-pick"), function (box) {
        box.checked = all.checked;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(); selectAll(); });
  window.addEventListener("resize", function () { if (chart) { chart.resize(); } });
})();
