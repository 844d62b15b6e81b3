// Keyboard shortcuts for the exception queue: j/k move between cases, x ticks one for the
// bulk form, a acknowledges it, Enter opens it, ? shows the list of keys. It only adds
// speed: every action is also a link, a menu or a form that works without script.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-case]"));
  var help = document.getElementById("keys");
  var current = -1;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || tag === "BUTTON" ||
      (target && target.isContentEditable);
  }
  function move(to) {
    if (!rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("current"); }
    current = Math.max(0, Math.min(rows.length - 1, to));
    rows[current].classList.add("current");
    rows[current].focus();
  }
  function row() { return current >= 0 ? rows[current] : null; }

  rows.forEach(function (element, index) {
    element.addEventListener("focusin", function () {
      if (current >= 0 && current !== index) { rows[current].classList.remove("current"); }
      current = index;
      element.classList.add("current");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var here = row();
    if (event.key === "j") { move(current + 1); }
    else if (event.key === "k") { move(current - 1); }
    else if (event.key === "x" && here) {
      var box = here.querySelector("input[type=checkbox][name=case]");
      if (box) { box.checked = !box.checked; }
    }
    else if (event.key === "a" && here) {
      var form = here.querySelector("form[data-action=acknowledge]");
      if (form) { form.requestSubmit(); }
    }
    else if (event.key === "Enter" && here && event.target === here) {
      var link = here.querySelector("a[href^='/ops/cases/']");
      if (link) { link.click(); }
    }
    else if (event.key === "?" && help) {
      help.open = !help.open;
      if (help.open) { help.querySelector("summary").focus(); }
    }
    else { return; }
    event.preventDefault();
  });

  // After an action the page comes back scrolled to its row: carry on from there.
  var start = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  var at = rows.indexOf(start);
  if (at >= 0) { move(at); }
})();
