/*
 * Live countdown for elements marked [data-countdown].
 *
 * The server renders the remaining days/hours/minutes/seconds (the page reads correctly without JS)
 * and these data attributes:
 *   data-target        ISO instant the countdown runs to (first second after an inclusive deadline)
 *   data-server-now    ISO instant the page was rendered, so a wrong clock on the visitor's device
 *                      does not shift the countdown
 *   data-expired-text  text shown when the countdown reaches zero
 * Elements marked [data-countdown-hide] (e.g. the apply button) are hidden at zero.
 */
(function () {
  "use strict";

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function start(el) {
    var target = Date.parse(el.getAttribute("data-target"));
    var serverNow = Date.parse(el.getAttribute("data-server-now"));
    if (isNaN(target) || isNaN(serverNow)) {
      return;
    }
    // Milliseconds left when the page was rendered, counted on this device's clock from now on.
    var endsAtLocal = Date.now() + (target - serverNow);
    var units = {};
    ["days", "hours", "minutes", "seconds"].forEach(function (name) {
      units[name] = el.querySelector('[data-unit="' + name + '"]');
    });

    function expire() {
      el.textContent = el.getAttribute("data-expired-text") || "";
      document.querySelectorAll("[data-countdown-hide]").forEach(function (node) {
        node.hidden = true;
      });
    }

    function tick() {
      var left = Math.ceil((endsAtLocal - Date.now()) / 1000);
      if (left <= 0) {
        expire();
        return false;
      }
      var days = Math.floor(left / 86400);
      if (units.days) units.days.textContent = String(days);
      if (units.hours) units.hours.textContent = pad(Math.floor((left % 86400) / 3600));
      if (units.minutes) units.minutes.textContent = pad(Math.floor((left % 3600) / 60));
      if (units.seconds) units.seconds.textContent = pad(left % 60);
      return true;
    }

    if (tick()) {
      var timer = window.setInterval(function () {
        if (!tick()) {
          window.clearInterval(timer);
        }
      }, 1000);
    }
  }

  document.querySelectorAll("[data-countdown]").forEach(start);
})();
