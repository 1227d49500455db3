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
      grid: { left: 10, right: 10, bottom: 10, top: 30, containLabel: true },
      // long names of development zones are cut short on the axis; the tooltip has them whole
      xAxis: { type: "category", data: data.towns,
               axisLabel: { rotate: 40, interval: 0, width: 84, overflow: "truncate" } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: villages, type: "bar", stack: "n", barMaxWidth: 48, data: data.villages, itemStyle: { color: "#a8201a" } },
        { name: communities, type: "bar", stack: "n", barMaxWidth: 48, data: data.communities, itemStyle: { color: "#e0a040" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  barChart("chart-regions", "chart-regions-data");
})();
