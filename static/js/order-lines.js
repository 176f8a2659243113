// The order form's line editor: add lines, fill a chosen product's list price and specification, and preview
// each line's amount and the order total. The preview uses exact integer arithmetic (BigInt), rounding half up
// to the fen like the server; the server computes the stored amounts again and is the one that counts.
(function () {
  "use strict";
  const form = document.getElementById("order-form");
  const rows = document.getElementById("line-rows");
  if (!form || !rows) return;
  const template = document.getElementById("line-template");
  const totalForms = form.querySelector('input[name="lines-TOTAL_FORMS"]');
  const products = JSON.parse(document.getElementById("product-data")?.textContent || "{}");
  const totalCell = document.getElementById("order-total-preview");

  // "12.5" with scale 3 -> 12500n; null when the text is not a plain non-negative decimal.
  function scaled(text, places) {
    const match = /^\s*(\d*)(?:\.(\d*))?\s*$/.exec(text || "");
    if (!match || (match[1] === "" && !match[2])) return null;
    const fraction = (match[2] || "").padEnd(places, "0");
    if (fraction.length > places) return null;
    return BigInt((match[1] || "0") + fraction);
  }

  function yuan(fen) {
    const negative = fen < 0n;
    const abs = negative ? -fen : fen;
    const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const cents = (abs % 100n).toString().padStart(2, "0");
    return (negative ? "-" : "") + "¥" + whole + "." + cents;
  }

  // quantity (3 places) × price (2 places) × (100 − discount) (2 places) / 100 → fen, half up.
  function lineFen(row) {
    const field = (name) => row.querySelector(`[name$="-${name}"]`);
    const quantity = scaled(field("quantity")?.value, 3);
    const price = scaled(field("unit_price")?.value, 2);
    const discount = scaled(field("discount")?.value || "0", 2);
    if (quantity === null || price === null || discount === null || discount > 10000n) return null;
    const raw = quantity * price * (10000n - discount); // scale: 10^3 · 10^2 · 10^2 · 100 (per cent)
    const divisor = 10n ** 7n; // to fen (10^2)
    return (raw * 2n + divisor) / (2n * divisor);
  }

  function refresh() {
    let total = 0n;
    let any = false;
    rows.querySelectorAll(".line-row").forEach((row) => {
      const removed = row.querySelector('[name$="-DELETE"]')?.checked;
      row.classList.toggle("line-removed", !!removed);
      const fen = lineFen(row);
      row.querySelector(".line-amount").textContent = fen === null ? "—" : yuan(fen);
      if (fen !== null && !removed) {
        total += fen;
        any = true;
      }
    });
    totalCell.textContent = any ? yuan(total) : "—";
  }

  function productChosen(select) {
    const row = select.closest(".line-row");
    const product = products[select.value];
    if (!product) return;
    const price = row.querySelector('[name$="-unit_price"]');
    const spec = row.querySelector('[name$="-specification"]');
    if (price && !price.value && product.price) price.value = product.price;
    if (spec && !spec.value && product.spec) spec.value = product.spec;
  }

  document.getElementById("add-line")?.addEventListener("click", () => {
    const index = parseInt(totalForms.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    totalForms.value = String(index + 1);
    rows.lastElementChild.querySelector("select")?.focus();
    refresh();
  });
  rows.addEventListener("input", refresh);
  rows.addEventListener("change", (event) => {
    if (event.target.matches('select[name$="-product"]')) productChosen(event.target);
    refresh();
  });
  refresh();
})();
