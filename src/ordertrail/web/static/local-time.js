// Staff read every time in their own zone. The server writes UTC, labelled, in
// <time datetime="…">; this rewrites each in the browser's zone (the server cannot know it).
// Without script the UTC time stays. The UTC time remains on hover.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  function local(at) {
    var part = {};
    format.formatToParts(at).forEach(function (p) { part[p.type] = p.value; });
    return part.year + "-" + part.month + "-" + part.day + " " + part.hour + ":" +
      part.minute + " " + part.timeZoneName;
  }
  document.querySelectorAll("time[datetime]").forEach(function (element) {
    var at = new Date(element.getAttribute("datetime"));
    if (isNaN(at.getTime())) { return; }
    element.title = element.textContent;
    element.textContent = local(at);
  });
})();
