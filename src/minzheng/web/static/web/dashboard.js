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

  // --- assistance: money by month and programme, this period vs last year, recipients by area
  var PALETTE = ["#a8201a", "#e0a040", "#3a6ea5", "#5b8c5a", "#8e5ea2", "#c05a8a", "#4aa3a2", "#7f7f7f", "#b08d57", "#2f4858", "#d4a5a5"];
  function yuan(fen) { return (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }
  // the axes are in 10,000 yuan (万元, said in the chart titles); the tooltips in yuan
  function wanAxis(fen) { return (fen / 1000000).toLocaleString("zh-CN", { maximumFractionDigits: 2 }); }
  function init(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return null; }
    var chart = echarts.init(el);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  var dataEl = document.getElementById("chart-assist-data");
  if (!dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var money = init("chart-money");
  if (money) {
    money.setOption({
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { type: "scroll", top: 0 },
      grid: { left: 10, right: 10, bottom: 10, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.money.months },
      yAxis: { type: "value", axisLabel: { formatter: wanAxis } },
      series: data.money.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "money", barMaxWidth: 40, data: s.data };
      })
    });
  }
  var compare = init("chart-compare");
  if (compare) {
    var el = document.getElementById("chart-compare");
    var current = el.dataset.labelCurrent || "本期";
    var before = el.dataset.labelBefore || "上年同期";
    compare.setOption({
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { data: [current, before], top: 0 },
      grid: { left: 10, right: 10, bottom: 10, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.compare.months },
      yAxis: { type: "value", axisLabel: { formatter: wanAxis } },
      series: [
        { name: current, type: "bar", barMaxWidth: 24, data: data.compare.current, itemStyle: { color: "#a8201a" } },
        { name: before, type: "bar", barMaxWidth: 24, data: data.compare.before, itemStyle: { color: "#b9c2cc" } }
      ]
    });
  }
  var areasEl = document.getElementById("chart-areas");
  if (areasEl) {  // one row per area: a town has a few dozen villages
    areasEl.style.height = Math.max(320, 26 * data.areas.names.length + 30) + "px";
  }
  var areas = init("chart-areas");
  if (areas) {
    var label = document.getElementById("chart-areas").dataset.labelRecipients || "保障对象";
    areas.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 10, right: 30, bottom: 10, top: 10, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.areas.names,
               axisLabel: { width: 96, overflow: "truncate" } },
      series: [{ name: label, type: "bar", barMaxWidth: 18, data: data.areas.recipients,
                 itemStyle: { color: "#a8201a" }, label: { show: true, position: "right" } }]
    });
  }
})();
