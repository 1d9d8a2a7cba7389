// The exercise form shows only the selected kind's fields; all are posted, and the server
// reads what the kind needs. Row sets (choices, mistakes, mutants, parameters) gain a row from
// their <template>, numbered as Django's formsets expect; a removed row is hidden and posted
// with its DELETE box ticked. A static file, not an inline script: the CSP allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  const kind = document.getElementById("id_kind");
  function show() {
    document.querySelectorAll("fieldset.kind-fields").forEach(function (set) {
      set.hidden = !set.dataset.kind.split(" ").includes(kind.value);
    });
  }
  if (kind) {
    kind.addEventListener("change", show);
    show();
  }
  document.querySelectorAll("[data-rows]").forEach(function (set) {
    const name = set.dataset.rows;
    const total = set.querySelector("input[name='" + name + "-TOTAL_FORMS']");
    const list = set.querySelector("ol.rows");
    const template = set.querySelector("template[data-empty-row]");
    set.querySelector("[data-add-row]").addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      const holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      const row = holder.firstElementChild;
      list.appendChild(row);
      total.value = String(index + 1);
      if (window.htmx) window.htmx.process(row);
      const first = row.querySelector("textarea, input:not([type=hidden]):not([type=checkbox])");
      if (first) first.focus();
    });
    set.addEventListener("change", function (event) {
      const box = event.target;
      if (box.name && box.name.endsWith("-DELETE")) {
        const row = box.closest("[data-row]");
        row.classList.toggle("removed", box.checked);
        row.querySelectorAll("textarea, input:not([type=checkbox]), select").forEach(function (input) {
          input.disabled = box.checked;
        });
      }
    });
  });
});
