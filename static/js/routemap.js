// The itinerary's interactive map: Leaflet over the packaged basemap (land, borders,
// province names), the travel network, each day's legs along the links they use, and
// numbered stops that are spread apart where they would cover each other.
// Everything comes from this app (no tiles, no outside request); the page gives the URLs in
// data- attributes of #route-map. Until the map is drawn the server's SVG map stays shown.
(function () {
  "use strict";
  var box = document.getElementById("route-map");
  if (!box || !window.L || !window.fetch) { return; }
  var panel = box.closest(".map-panel");
  var SPREAD_PX = 24;
  var SEA_BOUNDS = [[19.6, 104.9], [22.5, 108.7]];
  var english = box.getAttribute("data-lang") === "en";

  function getJSON(url) {
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) {
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.json();
      });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  var NETWORK_STYLE = {
    expressway: {color: "#d9a441", weight: 2.5, opacity: 0.8},
    road: {color: "#a9aca6", weight: 1.5, opacity: 0.8},
    bridge: {color: "#7d7f7a", weight: 2.5, opacity: 0.9},
    ferry: {color: "#4a90c2", weight: 2, opacity: 0.9, dashArray: "6 4"},
    boat: {color: "#4a90c2", weight: 1.5, opacity: 0.8, dashArray: "3 4"},
    cable_car: {color: "#8e44ad", weight: 2, opacity: 0.9, dashArray: "1 4"},
    walk: {color: "#7f8c8d", weight: 1, opacity: 0.7, dashArray: "2 3"}
  };

  function draw(data, land, borders, provinces, network) {
    box.hidden = false;
    var map = L.map(box, {zoomSnap: 0.25, minZoom: 6, maxZoom: 17, maxBounds: L.latLngBounds(SEA_BOUNDS).pad(0.5)});
    map.attributionControl.addAttribution(box.getAttribute("data-attribution").replace(/</g, "&lt;"));
    [["land", 200], ["borders", 250], ["network", 300], ["labels", 350], ["route", 420]].forEach(function (pane) {
      map.createPane(pane[0]).style.zIndex = String(pane[1]);
    });
    map.getPane("labels").style.pointerEvents = "none";

    L.geoJSON(land, {pane: "land", interactive: false, style: function (f) {
      return {className: "land land-" + f.properties.country, fillColor: f.properties.country === "VNM" ? "#f6f4ee" : "#ebe9e2", fillOpacity: 1, color: "#9fb6c3", weight: 0.8};
    }}).addTo(map);
    L.geoJSON(borders, {pane: "borders", interactive: false, style: function (f) {
      return f.properties.kind === "country"
        ? {className: "border-country", color: "#8a7f8f", weight: 2, opacity: 0.9}
        : {className: "border-province", color: "#b4a7b8", weight: 1.2, opacity: 0.9, dashArray: "5 4"};
    }}).addTo(map);
    provinces.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      L.marker([c[1], c[0]], {pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "province-label", html: el("span", "", english ? f.properties.name_en : f.properties.name_vi), iconSize: null})
      }).addTo(map);
    });
    L.geoJSON(network, {pane: "network", interactive: false, style: function (f) {
      var s = NETWORK_STYLE[f.properties.mode] || NETWORK_STYLE.road;
      var style = {className: "net net-" + f.properties.mode, color: s.color, weight: s.weight, opacity: s.opacity, dashArray: s.dashArray || null};
      if (f.properties.status === "planned") { style.opacity = 0.35; style.dashArray = "2 6"; }
      return style;
    }}).addTo(map);

    var dayLayers = data.days.map(function (day) {
      var group = L.layerGroup().addTo(map);
      day.legs.forEach(function (leg) {
        L.polyline(leg.path, {pane: "route", interactive: false, color: "#fff", weight: 8, opacity: 0.85, className: "leg-casing"}).addTo(group);
        L.polyline(leg.path, {pane: "route", interactive: false, color: day.colour, weight: 4.5, opacity: 0.95,
          dashArray: leg.routed ? null : "8 6", className: "leg day-" + day.index + (leg.routed ? " routed" : " straight")}).addTo(group);
      });
      return group;
    });

    var leaders = L.layerGroup().addTo(map);
    var markers = data.stops.map(function (stop) {
      var pin = el("span", "stop-pin c" + (stop.day % 7) + (stop.number === null ? " hub" : ""), stop.number === null ? "" : String(stop.number));
      var home = L.latLng(stop.lat, stop.lon);
      var marker = L.marker(home, {
        icon: L.divIcon({className: "stop-icon", html: pin, iconSize: stop.number === null ? [20, 20] : [26, 26]}),
        title: (stop.number === null ? "" : stop.number + ". ") + stop.name,
        alt: stop.name, riseOnHover: true, zIndexOffset: stop.number === null ? 0 : 100
      });
      marker.bindPopup(popup(stop));
      marker.on("click", function () { focusStop(stop.id); });
      marker.addTo(map);
      return {stop: stop, home: home, marker: marker};
    });
    var byId = {};
    markers.forEach(function (m) { byId[m.stop.id] = m; });

    function popup(stop) {
      var root = el("div", "map-popup");
      root.appendChild(el("h3", "", (stop.number === null ? "" : stop.number + ". ") + stop.name));
      if (stop.time) { root.appendChild(el("p", "", stop.time)); }
      var links = el("p", "");
      links.appendChild(document.createTextNode((box.getAttribute("data-open-label") || "") + " "));
      [["osm", "OpenStreetMap", "maps-osm"], ["google", "Google Maps", "maps-google"], ["geo", box.getAttribute("data-phone-label"), "maps-geo"]].forEach(function (k) {
        var a = el("a", k[2], k[1]);
        a.href = stop.links[k[0]];
        if (k[0] !== "geo") { a.target = "_blank"; a.rel = "noopener"; }
        links.appendChild(a);
      });
      root.appendChild(links);
      return root;
    }

    // Spread markers that would cover each other on a circle around their centre, with a
    // leader line from each moved marker to its place (the same rule as the SVG map).
    function layout() {
      var zoom = map.getZoom();
      var pts = markers.map(function (m) { return map.project(m.home, zoom); });
      var parent = pts.map(function (_, i) { return i; });
      function root(i) { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; }
      for (var i = 0; i < pts.length; i++) {
        for (var j = i + 1; j < pts.length; j++) {
          if (pts[i].distanceTo(pts[j]) < SPREAD_PX) { parent[root(i)] = root(j); }
        }
      }
      var groups = {};
      pts.forEach(function (_, i) { (groups[root(i)] = groups[root(i)] || []).push(i); });
      leaders.clearLayers();
      var spreadCount = 0;
      Object.keys(groups).forEach(function (key) {
        var members = groups[key];
        if (members.length < 2) {
          markers[members[0]].marker.setLatLng(markers[members[0]].home);
          return;
        }
        var cx = 0, cy = 0;
        members.forEach(function (i) { cx += pts[i].x; cy += pts[i].y; });
        cx /= members.length; cy /= members.length;
        var radius = Math.max(SPREAD_PX * 0.75, SPREAD_PX / (2 * Math.sin(Math.PI / members.length)));
        members.forEach(function (i, k) {
          var angle = -Math.PI / 2 + 2 * Math.PI * k / members.length;
          var at = map.unproject(L.point(cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)), zoom);
          markers[i].marker.setLatLng(at);
          L.polyline([markers[i].home, at], {color: "#1d2731", weight: 1, interactive: false, className: "leader"}).addTo(leaders);
          L.circleMarker(markers[i].home, {radius: 2.5, color: "#1d2731", weight: 1, fillOpacity: 1, interactive: false}).addTo(leaders);
          spreadCount++;
        });
      });
      box.setAttribute("data-spread", String(spreadCount));
      box.setAttribute("data-zoom", String(map.getZoom()));
    }

    function pressed(day) {
      document.querySelectorAll(".map-day").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-day") === String(day)));
      });
      box.setAttribute("data-focus", String(day));
    }

    function focusDay(day) {
      var all = day === "all" || day === null;
      var target = all ? data.bounds : (data.days[Number(day)] || {}).bounds;
      if (!target) { return; }
      dayLayers.forEach(function (group, i) {
        group.eachLayer(function (line) {
          if (line.options.className.indexOf("leg-casing") === -1) {
            line.setStyle({opacity: all || i === Number(day) ? 0.95 : 0.3});
          }
        });
      });
      map.fitBounds(target, {padding: [28, 28], maxZoom: 13, animate: false});
      pressed(all ? "all" : day);
    }

    function focusStop(id) {
      var m = byId[id];
      if (!m) { return; }
      map.setView(m.home, Math.max(map.getZoom(), 14), {animate: false});
      m.marker.openPopup();
      box.setAttribute("data-focus", "stop:" + id);
    }

    document.querySelectorAll(".map-day, .map-focus").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var stop = button.getAttribute("data-stop");
        if (stop) { focusStop(stop); } else { focusDay(button.getAttribute("data-day")); }
        if (button.classList.contains("map-focus")) { box.scrollIntoView({block: "center"}); }
      });
    });
    var legend = document.querySelector(".map-days");
    if (legend) { legend.hidden = false; }

    map.on("zoomend", layout);
    map.fitBounds(data.bounds, {padding: [24, 24]});
    pressed("all");
    layout();
    if (panel) { panel.classList.add("map-live"); }
    box.setAttribute("data-ready-ms", String(Math.round(window.performance ? performance.now() : 0)));
    box.setAttribute("data-ready", "true");
  }

  var urls = (box.getAttribute("data-basemap") || "").split(" ");
  Promise.all([getJSON(box.getAttribute("data-map"))]
    .concat(urls.map(getJSON))
    .concat([getJSON(box.getAttribute("data-network"))]))
    .then(function (parts) { draw(parts[0], parts[1], parts[2], parts[3], parts[4]); })
    .catch(function (error) {
      box.hidden = true;
      box.setAttribute("data-error", String(error));
    });
})();
