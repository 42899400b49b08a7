// Reloads a batch page while its products are still being planned.
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box || box.getAttribute("data-running") !== "true") { return; }
  var url = box.getAttribute("data-poll");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (batch) {
        if (batch.finished) { window.location.reload(); return; }
        var c = batch.counts;
        var bar = box.querySelector("progress");
        if (bar) { bar.value = c.done + c.failed; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 800);
})();
