"use strict";
(function () {
  // A sentence and its counterpart share data-l (their link): hover or tap lights both.
  var lit = [], pinned = null;
  function mates(el) { return document.querySelectorAll('.s[data-l="' + el.getAttribute("data-l") + '"]'); }
  function light(el, cls) {
    var all = mates(el);
    for (var i = 0; i < all.length; i++) all[i].classList.add(cls);
    return all;
  }
  function clear(list, cls) { for (var i = 0; i < list.length; i++) list[i].classList.remove(cls); }
  var main = document.querySelector("main");
  main.addEventListener("mouseover", function (e) {
    var el = e.target.closest(".s");
    clear(lit, "hl");
    lit = el ? light(el, "hl") : [];
  });
  main.addEventListener("mouseleave", function () { clear(lit, "hl"); lit = []; });
  main.addEventListener("click", function (e) {
    var el = e.target.closest(".s");
    if (pinned) clear(pinned.list, "pin");
    if (!el || (pinned && pinned.key === el.getAttribute("data-l"))) { pinned = null; return; }
    pinned = { key: el.getAttribute("data-l"), list: light(el, "pin") };
  });
})();
