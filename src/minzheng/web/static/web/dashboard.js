// Dashboard charts: data comes from json_script blocks rendered by the server.
(function () {
  "use strict";
  function barChart(elementId, dataId) {
    var el = document.getElementById(elementId);
    var dataEl = document.getElementById(dataId);
    if (!el || !dataEl || typeof echarts === "undefined") { return; }
    var data = JSON.parse(dataEl.textContent);
    // series names come translated from the page (data-label-* attributes)
    var villages = el.dataset.labelVillages || "村";
    var communities = el.dataset.labelCommunities || "社区";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [villages, communities] },
      grid: { left: 40, right: 10, bottom: 70, top: 30 },
      xAxis: { type: "category", data: data.towns, axisLabel: { rotate: 40 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: villages, type: "bar", stack: "n", data: data.villages, itemStyle: { color: "#a8201a" } },
        { name: communities, type: "bar", stack: "n", data: data.communities, itemStyle: { color: "#e0a040" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  barChart("chart-regions", "chart-regions-data");
})();
