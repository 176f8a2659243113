/* The trading status panel's chart (交易现状): filed sales per month over the last 24 months.
 *
 * Reads the figures the page embeds with json_script ("trading-chart-data": labels, amounts as decimal strings,
 * and the translated dataset name) and draws them with the vendored Chart.js (static/vendor/chartjs). Amounts
 * become numbers only to be drawn; every amount shown as text is formatted by Intl in the page's language.
 */
(function () {
  "use strict";

  function draw() {
    const canvas = document.getElementById("trading-chart");
    const source = document.getElementById("trading-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    const amounts = data.amounts.map(Number);
    const current = amounts.length - 1;
    const lang = document.documentElement.lang || undefined;
    const style = getComputedStyle(canvas);
    const bar = style.getPropertyValue("--trading-bar").trim() || "#0d6efd";
    const partialBar = style.getPropertyValue("--trading-bar-partial").trim() || bar;
    const grid = style.getPropertyValue("--trading-grid").trim() || "rgba(0, 0, 0, 0.06)";

    // "¥12,345.60" in Chinese and English alike (narrowSymbol: not "CN¥"); axis ticks as 1.2万 / 12K.
    const yuan = new Intl.NumberFormat(lang, {
      style: "currency",
      currency: "CNY",
      currencyDisplay: "narrowSymbol",
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });

    const chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.dataset,
            data: amounts,
            // The current month is still running: a lighter bar, and the tooltip says "month to date".
            backgroundColor: amounts.map((_, i) => (i === current ? partialBar : bar)),
            hoverBackgroundColor: bar,
            borderRadius: 3,
            maxBarThickness: 26,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            displayColors: false,
            callbacks: {
              title: (items) =>
                items[0].label + (items[0].dataIndex === current ? " (" + data.partial + ")" : ""),
              label: (item) => data.dataset + ": " + yuan.format(item.parsed.y),
            },
          },
        },
        scales: {
          x: {
            grid: { display: false },
            ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12, font: { size: 11 } },
          },
          y: {
            beginAtZero: true,
            grace: "5%",
            border: { display: false },
            grid: { color: grid },
            ticks: {
              maxTicksLimit: 5,
              font: { size: 11 },
              callback: (value) => (value === 0 ? "0" : "¥" + compact.format(value)),
            },
          },
        },
      },
    });

    // Chart.js sizes the canvas to the screen layout; give it the printed width before printing and the
    // screen's back afterwards (Chart.js documentation, "Printing Resizable Charts").
    window.addEventListener("beforeprint", () => {
      chart.resize(680, 200);
    });
    window.addEventListener("afterprint", () => {
      chart.resize();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
