// Small helpers for the case forms; the forms work without them (the server checks everything).
(function () {
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  // A cercle list offers only the cercles of the region chosen beside it.
  document.querySelectorAll("select[data-region-select]").forEach(function (region) {
    var scope = region.closest("fieldset, .route-stop, form");
    var cercle = scope && scope.querySelector("select[name$='cercle']");
    if (!cercle) return;
    function sync() {
      Array.prototype.forEach.call(cercle.options, function (option) {
        var other = option.dataset.region && option.dataset.region !== region.value;
        option.hidden = other;
        option.disabled = other;
        if (other && option.selected) { cercle.value = ""; }
      });
    }
    region.addEventListener("change", sync);
    sync();
  });
  // Type-ahead for long lists (nationality): typing hides the countries that do not match.
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "list-filter";
    box.placeholder = select.dataset.filterPlaceholder || "…";
    box.setAttribute("aria-label", box.placeholder);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = fold(box.value);
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = q !== "" && fold(option.text).indexOf(q) === -1 && !option.selected;
      });
    });
  });
})();
