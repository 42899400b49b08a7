// Follows a batch page while its products are still being planned: the progress bar and the
// counts line move with the batch's JSON, and the page reloads when the batch is finished.
// The counts line's wording comes from the page (data-counts, in the page's language, with
// {done}, {running}, ... for the numbers): this script holds no text of its own.
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box || box.getAttribute("data-running") !== "true") { return; }
  var url = box.getAttribute("data-poll");
  var line = box.querySelector("[data-counts]");
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  function showCounts(c) {
    if (!line) { return; }
    line.textContent = line.getAttribute("data-counts").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(c, key) ? numbers.format(c[key]) : all;
    });
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (batch) {
        if (batch.finished) { window.location.reload(); return; }
        var c = batch.counts;
        var bar = box.querySelector("progress");
        if (bar) { bar.value = c.done + c.failed; }
        showCounts(c);
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 800);
})();
