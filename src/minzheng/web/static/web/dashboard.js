// Dashboard charts: data comes from json_script blocks rendered by the server.
(function () {
  "use strict";
  function barChart(elementId, dataId) {
    var el = document.getElementById(elementId);
    var dataEl = document.getElementById(dataId);
    if (!el || !dataEl || typeof echarts === "undefined") { return; }
    var data = JSON.parse(dataEl.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["村", "社区"] },
      grid: { left: 40, right: 10, bottom: 70, top: 30 },
      xAxis: { type: "category", data: data.towns, axisLabel: { rotate: 40 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "村", type: "bar", stack: "n", data: data.villages, itemStyle: { color: "#a8201a" } },
        { name: "社区", type: "bar", stack: "n", data: data.communities, itemStyle: { color: "#e0a040" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  barChart("chart-regions", "chart-regions-data");
})();
