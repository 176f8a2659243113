// The ledger's amount editors. On the repayment plan form: add instalment rows and preview the planned total.
// On the payment and allocation forms: show the amount inputs only when allocating by hand, and add up what is
// typed against what the payment has to give. Sums use exact integer fen (BigInt); the server checks again and
// is the one that counts.
(function () {
  "use strict";

  // "12.5" -> 1250n fen; null when the text is not a plain non-negative amount to the fen.
  function fen(text) {
    const match = /^\s*(\d*)(?:\.(\d{0,2}))?\s*$/.exec(text || "");
    if (!match || (match[1] === "" && !match[2])) return null;
    return BigInt((match[1] || "0") + (match[2] || "").padEnd(2, "0"));
  }

  function yuan(value) {
    const whole = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + whole + "." + (value % 100n).toString().padStart(2, "0");
  }

  // ---- Repayment plan: instalment rows ----
  const planForm = document.getElementById("plan-form");
  const rows = document.getElementById("instalment-rows");
  if (planForm && rows) {
    const template = document.getElementById("instalment-template");
    const totalForms = planForm.querySelector('input[name="instalments-TOTAL_FORMS"]');
    const totalCell = document.getElementById("instalment-total");
    const refresh = () => {
      let total = 0n;
      let any = false;
      rows.querySelectorAll(".instalment-row").forEach((row) => {
        const removed = row.querySelector('[name$="-DELETE"]')?.checked;
        row.classList.toggle("line-removed", !!removed);
        const amount = fen(row.querySelector('[name$="-amount"]')?.value);
        if (amount !== null && !removed) {
          total += amount;
          any = true;
        }
      });
      totalCell.textContent = any ? yuan(total) : "—";
    };
    document.getElementById("add-instalment")?.addEventListener("click", () => {
      const index = parseInt(totalForms.value, 10);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      totalForms.value = String(index + 1);
      rows.lastElementChild.querySelector("input")?.focus();
      refresh();
    });
    rows.addEventListener("input", refresh);
    rows.addEventListener("change", refresh);
    refresh();
  }

  // ---- Payment and allocation forms: allocation by hand ----
  document.querySelectorAll("form.allocation-editor").forEach((form) => {
    const table = form.querySelector(".allocation-rows");
    const sumCell = form.querySelector("#allocation-sum");
    const amountInput = form.querySelector('input[name="amount"]');
    const byHand = () => form.querySelector('input[name="mode"]:checked')?.value === "manual";
    const available = () => (amountInput ? fen(amountInput.value) : fen(form.dataset.left));
    const refresh = () => {
      if (table) table.hidden = !byHand();
      if (!sumCell) return;
      let total = 0n;
      let bad = false;
      form.querySelectorAll(".allocation-input").forEach((input) => {
        if (!input.value.trim()) return;
        const amount = fen(input.value);
        const open = fen(input.dataset.outstanding);
        const wrong = amount === null || (open !== null && amount > open);
        input.classList.toggle("is-invalid", wrong);
        bad = bad || wrong;
        if (amount !== null) total += amount;
      });
      const limit = available();
      sumCell.textContent = yuan(total);
      sumCell.classList.toggle("text-danger", bad || (limit !== null && total > limit));
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  });
})();
