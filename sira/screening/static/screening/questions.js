// Follow-up questions are shown only when the answer that opens them is given (the server applies
// the same rule: an answer to a follow-up that is not opened is ignored). Without script, all show.
(function () {
  function value(id) {
    var checked = document.querySelectorAll('[name="q__' + id + '"]:checked');
    return Array.prototype.map.call(checked, function (i) { return i.value; });
  }
  function riskOf(id) {
    var box = document.getElementById("f-" + id);
    return box ? box.dataset.risk || "" : "";
  }
  function update() {
    document.querySelectorAll("fieldset[data-when]").forEach(function (box) {
      var opener = box.dataset.when, chosen = value(opener), open = false;
      var openerBox = document.getElementById("f-" + opener);
      if (openerBox && openerBox.hidden) { open = false; }
      else if (box.dataset.whenSide === "risk") {
        var risk = openerBox ? openerBox.dataset.riskSide : "";
        open = chosen.some(function (v) { return (risk || "").split(" ").indexOf(v) >= 0; });
      } else {
        var wanted = (box.dataset.whenIn || "").split(" ");
        open = chosen.some(function (v) { return wanted.indexOf(v) >= 0; });
      }
      box.hidden = !open;
    });
  }
  document.addEventListener("change", update);
  update();
})();
