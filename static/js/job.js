// Polls the job's progress and moves on to the itinerary when the solve is done.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-poll");
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "done" && job.url) { window.location.assign(job.url); return; }
        if (job.status === "failed") { window.location.reload(); return; }
        var p = job.progress || {};
        var text = job.status + (p.seconds ? " · " + p.seconds + " s" : "") + (p.value ? " · " + p.value : "");
        status.textContent = text;
        if (p.limit_s && p.seconds) { bar.max = p.limit_s; bar.value = Math.min(p.seconds, p.limit_s); }
        setTimeout(poll, 600);
      })
      .catch(function () { setTimeout(poll, 1500); });
  }
  setTimeout(poll, 300);
})();
