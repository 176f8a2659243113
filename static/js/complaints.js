// The new-complaint form: choosing the customer brings that customer's orders and contacts into the two
// selects (fetched from the same page with ?customer=), without losing what was already typed.
(function () {
  "use strict";
  const form = document.getElementById("complaint-form");
  const customer = document.getElementById("id_customer");
  if (!form || !customer || !form.dataset.scopeUrl) return;

  customer.addEventListener("change", function () {
    const boxes = form.querySelectorAll("[data-scoped-field]");
    const url = form.dataset.scopeUrl + (customer.value ? "?customer=" + encodeURIComponent(customer.value) : "");
    boxes.forEach(function (box) { box.setAttribute("aria-busy", "true"); });
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        const page = new DOMParser().parseFromString(html, "text/html");
        boxes.forEach(function (box) {
          const fresh = page.querySelector('[data-scoped-field="' + box.dataset.scopedField + '"]');
          if (fresh) box.innerHTML = fresh.innerHTML;
        });
      })
      .catch(function () {})
      .finally(function () {
        boxes.forEach(function (box) { box.removeAttribute("aria-busy"); });
      });
  });
})();
