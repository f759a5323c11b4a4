// The browser's time zone, for forms that ask for one: sign-up fills its hidden field, the
// settings page shows it as a hint. Without JavaScript the server keeps UTC.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) return;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
      if (!input.value) input.value = zone;
    });
    document.querySelectorAll("[data-browser-time-zone-hint]").forEach(function (hint) {
      var name = hint.querySelector("[data-browser-time-zone-name]");
      if (name) name.textContent = zone;
      hint.hidden = false;
    });
  });
})();
