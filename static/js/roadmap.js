// The roadmap page's small behaviours, on top of htmx and the no-JS forms.
//
// Keyboard shortcuts: with a resource focused (its link or any control in it), d toggles done,
// p in progress, s skipped, n opens the note; ? lists the keys. They go through the same
// controls a mouse uses, so htmx does the rest.
(function () {
  "use strict";

  var dialog = document.getElementById("shortcuts-dialog");
  var announcer = document.getElementById("shortcut-status");
  var LABELS = {
    not_started: "Not started",
    in_progress: "In progress",
    done: "Done",
    skipped: "Skipped",
  };

  // A key changes a control the learner is not on: say what it did, for screen readers.
  function announce(item, status) {
    // The resource's title, which its controls' names refer to (aria-labelledby).
    var title = item.querySelector(".resource-title span[id]");
    var name = title ? title.textContent : "";
    if (announcer) announcer.textContent = name + ": " + LABELS[status];
  }
  var button = document.getElementById("shortcuts-button");

  function showKeys() {
    if (dialog && !dialog.open) dialog.showModal();
  }

  if (button && dialog) {
    button.hidden = false;
    button.addEventListener("click", showKeys);
  }

  function isTyping(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (element.type || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) === -1;
  }

  function setStatus(item, status) {
    var select = item.querySelector(".status-form select");
    if (!select) return;
    select.value = select.value === status ? "not_started" : status;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    announce(item, select.value);
  }

  function openNote(item) {
    var link = item.querySelector(".notes-link");
    if (!link) return;
    var region = document.getElementById(link.getAttribute("aria-controls"));
    if (region) {
      region.addEventListener(
        "htmx:afterSettle",
        function () {
          var field = region.querySelector("textarea");
          if (field) field.focus();
        },
        { once: true }
      );
    }
    link.click();
  }

  // Dismissing "New since your last visit" removes the focused button with the list: focus
  // goes to the page's main region rather than being dropped on <body>.
  // (Before the swap: afterwards the list, and the events from it, are gone.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "whats-new") {
      setTimeout(function () {
        var main = document.getElementById("content");
        if (main) main.focus();
      }, 0);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.isComposing || isTyping(event.target)) return;
    if (dialog && dialog.open) return;
    if (event.key === "?") {
      event.preventDefault();
      showKeys();
      return;
    }
    var active = document.activeElement;
    var item = active && active.closest ? active.closest(".resource") : null;
    if (!item) return;
    switch (event.key) {
      case "d": {
        var box = item.querySelector(".progress-toggle input");
        if (box) {
          box.click();
          announce(item, box.checked ? "done" : "not_started");
        }
        break;
      }
      case "p":
        setStatus(item, "in_progress");
        break;
      case "s":
        setStatus(item, "skipped");
        break;
      case "n":
        openNote(item);
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
