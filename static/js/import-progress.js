// Drives the import: each POST processes the next chunk of rows and returns the progress.
(function () {
  var box = document.getElementById("import");
  var form = document.getElementById("import-form");
  if (!box || !form || !window.fetch) return;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  form.hidden = true;
  function step() {
    fetch(box.dataset.stepUrl, { method: "POST", headers: { "X-CSRFToken": token, "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        document.getElementById("import-progress").value = p.processed;
        document.getElementById("import-count").textContent = p.processed;
        if (p.finished) { window.location = p.report_url; } else { step(); }
      })
      .catch(function () { form.hidden = false; });
  }
  step();
})();
