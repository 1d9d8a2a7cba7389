// The exercise form shows only the selected kind's fields; all are posted, and the server
// reads what the kind needs. A static file, not an inline script: the CSP allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  function show() {
    document.querySelectorAll("fieldset.kind-fields").forEach(function (set) {
      set.hidden = !set.dataset.kind.split(" ").includes(kind.value);
    });
  }
  kind.addEventListener("change", show);
  show();
});
