// The return form: each line's default amount (quantity × the line's net unit price) shown as the amount's
// placeholder while typing, and the return's total. The discount form: only the input of the chosen way is
// shown, and a percentage is previewed in yuan. Exact integer arithmetic (BigInt), rounding half up to the
// fen like the server; the server works the amounts out again and is the one that counts.
(function () {
  "use strict";

  // "12.5" with scale 3 -> 12500n; null when the text is not a plain non-negative decimal.
  function scaled(text, places) {
    const match = /^\s*(\d*)(?:\.(\d*))?\s*$/.exec(text || "");
    if (!match || (match[1] === "" && !match[2])) return null;
    const fraction = (match[2] || "").padEnd(places, "0");
    if (fraction.length > places) return null;
    return BigInt((match[1] || "0") + fraction);
  }

  function halfUp(numerator, denominator) {
    return (numerator * 2n + denominator) / (2n * denominator);
  }

  function plain(fen) {
    return (fen / 100n).toString() + "." + (fen % 100n).toString().padStart(2, "0");
  }

  function yuan(fen) {
    const abs = fen < 0n ? -fen : fen;
    const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (fen < 0n ? "-" : "") + "¥" + whole + "." + (abs % 100n).toString().padStart(2, "0");
  }

  const lines = document.querySelector("[data-return-lines]");
  if (lines) {
    const totalCell = document.getElementById("return-total-preview");
    const refresh = function () {
      let total = 0n;
      let any = false;
      lines.querySelectorAll(".return-line-row").forEach(function (row) {
        const quantityInput = row.querySelector('[name$="-quantity"]');
        const amountInput = row.querySelector('[name$="-amount"]');
        const quantity = scaled(quantityInput.value, 3);
        const lineFen = BigInt(row.dataset.lineFen);
        const lineMilli = BigInt(row.dataset.lineMilli);
        let fallback = null;
        if (quantity !== null && quantity > 0n && lineMilli > 0n) {
          fallback = halfUp(quantity * lineFen, lineMilli);
          amountInput.placeholder = plain(fallback);
        } else {
          amountInput.placeholder = "";
        }
        const typed = amountInput.value.trim() === "" ? null : scaled(amountInput.value, 2);
        const fen = typed !== null ? typed : fallback;
        if (fen !== null) {
          total += fen;
          any = true;
        }
      });
      totalCell.textContent = any ? yuan(total) : "—";
    };
    lines.addEventListener("input", refresh);
    refresh();
  }

  const modes = document.querySelectorAll('[name="mode"]');
  const percentField = document.querySelector("[data-discount-percent]");
  const amountField = document.querySelector("[data-discount-amount]");
  if (modes.length && percentField && amountField) {
    const base = BigInt(percentField.dataset.baseFen || "0");
    const net = BigInt(percentField.dataset.netFen || "0");
    const preview = document.getElementById("discount-preview");
    const refresh = function () {
      const chosen = document.querySelector('[name="mode"]:checked');
      const mode = chosen ? chosen.value : "percent";
      percentField.hidden = mode !== "percent";
      amountField.hidden = mode !== "amount";
      if (!preview) return;
      let fen = null;
      if (mode === "percent") {
        const percent = scaled(percentField.querySelector("input").value, 2);
        if (percent !== null) fen = halfUp(base * percent, 10000n);
      } else {
        fen = scaled(amountField.querySelector("input").value, 2);
      }
      preview.textContent = fen === null ? "—" : "−" + yuan(fen) + " → " + yuan(net - fen);
    };
    document.addEventListener("input", refresh);
    document.addEventListener("change", refresh);
    refresh();
  }
})();
