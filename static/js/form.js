// Must-see search-as-you-type: suggestions from /api/suggest (diacritics optional), picked
// places become hidden inputs. Without JavaScript the typed name is submitted and resolved
// by the server, so the form works either way.
(function () {
  "use strict";
  var input = document.getElementById("must-search");
  var list = document.getElementById("must-suggestions");
  var chosen = document.getElementById("must-list");
  if (!input || !list || !chosen) { return; }
  var url = input.getAttribute("data-suggest");
  var lang = document.documentElement.lang;
  var active = -1;
  var timer = null;

  function removeButton(li) {
    var button = li.querySelector(".remove-must");
    if (button) { button.addEventListener("click", function () { li.remove(); input.focus(); }); }
  }
  Array.prototype.forEach.call(chosen.querySelectorAll("li"), removeButton);

  function add(item) {
    var name = lang === "en" ? item.name_en : item.name_vi;
    var li = document.createElement("li");
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "must_visit"; hidden.value = item.id;
    var button = document.createElement("button");
    button.type = "button"; button.className = "link remove-must"; button.textContent = "×";
    button.setAttribute("aria-label", (lang === "en" ? "Remove " : "Bỏ ") + name);
    li.appendChild(hidden);
    li.appendChild(document.createTextNode(name + " "));
    li.appendChild(button);
    chosen.appendChild(li);
    removeButton(li);
    input.value = "";
    close();
    input.focus();
  }

  function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }

  function show(items) {
    list.innerHTML = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.textContent = (lang === "en" ? item.name_en : item.name_vi) + " — " + item.province;
      li.addEventListener("mousedown", function (event) { event.preventDefault(); add(item); });
      li._item = item;
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function highlight(index) {
    var options = list.querySelectorAll("li");
    if (!options.length) { return; }
    active = (index + options.length) % options.length;
    Array.prototype.forEach.call(options, function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(function () {
      fetch(url + "?kind=attraction&q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(show)
        .catch(close);
    }, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); add(list.querySelectorAll("li")[active]._item); }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
