"use strict";
(function () {
  // Filter by kind and severity (an item shows when one of its kind:severity tags is ticked
  // on both axes) and by search text; a click on a pair's map goes to the nearest item.
  var items = Array.prototype.slice.call(document.querySelectorAll(".item"));
  var tags = items.map(function (el) { return el.getAttribute("data-f").split(" "); });
  var texts = null;
  var filters = document.getElementById("filters");
  var search = document.getElementById("q"), shown = document.getElementById("shown");
  function ticked(attr) {
    var set = {}, boxes = filters.querySelectorAll("input[" + attr + "]");
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) set[boxes[i].getAttribute(attr)] = true;
    return set;
  }
  function searched(el) {  // the item's own texts, files and evidence; not its context
    var parts = el.querySelectorAll(".head, .file, .text, .flags"), out = [];
    for (var i = 0; i < parts.length; i++) out.push(parts[i].textContent);
    return out.join("\n").toLowerCase();
  }
  function apply() {
    var kinds = ticked("data-kind"), severities = ticked("data-severity");
    var query = search.value.trim().toLowerCase(), count = 0;
    if (query && !texts) texts = items.map(searched);
    for (var i = 0; i < items.length; i++) {
      var ok = false, own = tags[i];
      for (var j = 0; j < own.length && !ok; j++) {
        var at = own[j].indexOf(":");
        ok = kinds[own[j].slice(0, at)] === true && severities[own[j].slice(at + 1)] === true;
      }
      if (ok && query) ok = texts[i].indexOf(query) >= 0;
      if (items[i].hidden === ok) items[i].hidden = !ok;
      if (ok) count++;
    }
    shown.textContent = count + " of " + items.length + " shown";
  }
  var timer = null;
  filters.addEventListener("change", apply);
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  document.addEventListener("click", function (e) {
    var map = e.target.closest ? e.target.closest("svg.map") : null;
    if (!map) return;
    var box = map.getBoundingClientRect(), view = map.viewBox.baseVal;
    var x = view.x + (e.clientX - box.left) / box.width * view.width;
    var y = view.y + (e.clientY - box.top) / box.height * view.height;
    var section = document.getElementById(map.getAttribute("data-pair")), best = null, distance = Infinity;
    var candidates = section.querySelectorAll(".item:not([hidden])");
    for (var i = 0; i < candidates.length; i++) {
      var dx = (candidates[i].getAttribute("data-x") - x) / view.width;
      var dy = (candidates[i].getAttribute("data-y") - y) / view.height;
      if (dx * dx + dy * dy < distance) { distance = dx * dx + dy * dy; best = candidates[i]; }
    }
    if (!best) return;
    var lit = document.querySelector(".item.flash");
    if (lit) lit.classList.remove("flash");
    best.classList.add("flash");
    best.scrollIntoView({ block: "center" });
  });
  document.getElementById("controls").hidden = false;
  apply();
  window.reviewReady = performance.now();
})();
