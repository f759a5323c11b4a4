// The roadmap page's small behaviours, on top of htmx and the no-JS forms.
//
// Keyboard shortcuts: with a resource focused (its link or any control in it), d toggles done,
// p in progress, s skipped, n opens the note; ? lists the keys. They go through the same
// controls a mouse uses, so htmx does the rest.
(function () {
  "use strict";

  var dialog = document.getElementById("shortcuts-dialog");
  var announcer = document.getElementById("shortcut-status");
  // A key changes a control the learner is not on: say what it did, for screen readers. The
  // status's name is its option's text in the resource's menu (one letter per status,
  // roadmap.forms.STATUS_CODES), written by the server in the page's language.
  function announce(item, status) {
    // The resource's title, which its controls' names refer to (aria-labelledby).
    var title = item.querySelector(".resource-title span[id]");
    var name = title ? title.textContent : "";
    var option = item.querySelector('select option[value="' + status + '"]');
    if (announcer && option) announcer.textContent = name + ": " + option.textContent;
  }
  var button = document.getElementById("shortcuts-button");

  // The list of keys is loaded the first time it is asked for (it is not written into the page).
  function showKeys() {
    if (!dialog || dialog.open) return;
    if (dialog.firstElementChild || !window.htmx) {
      dialog.showModal();
      return;
    }
    htmx.ajax("GET", dialog.dataset.url, { source: dialog, target: dialog, swap: "innerHTML" }).then(function () {
      // Nothing to show if the list did not arrive (htmx reports the failed request).
      if (!dialog.open && dialog.firstElementChild) dialog.showModal();
    });
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
    var select = item.querySelector("r-a select");
    if (!select) return;
    select.value = select.value === status ? "n" : status;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    announce(item, select.value);
  }

  function openNote(item) {
    var link = item.querySelector('a[id^="nl"]');
    if (!link) return;
    var place = region(link);
    if (place) {
      place.addEventListener(
        "htmx:afterSettle",
        function () {
          var field = place.querySelector("textarea");
          if (field) field.focus();
        },
        { once: true }
      );
    }
    link.click();
  }

  // The resources' controls carry no hx-* attributes of their own (the page stays light): their
  // requests are sent from here, for every resource, with the same effect. A change of the Done
  // box or the status menu posts the page's form (htmx adds the control's form) to the
  // resource's address, kept on #roadmap-sections, and replaces the control's <span>; the
  // response updates the counts out of band. Without JavaScript the links open their own pages.
  function resourceId(element) {
    var item = element.closest(".resource");
    return item ? item.id.replace("resource-", "") : null;
  }

  // Where a resource's note editor or problem report opens, one at a time: made when first
  // needed, at the end of the resource, and announced politely when its content changes.
  function region(element) {
    var item = element.closest(".resource");
    var place = document.getElementById("more-" + item.id.replace("resource-", ""));
    if (!place) {
      place = document.createElement("div");
      place.id = "more-" + item.id.replace("resource-", "");
      place.setAttribute("aria-live", "polite");
      item.appendChild(place);
    }
    return place;
  }

  // A resource's regions that are written only when they show something (roadmap/_resource.html):
  // its status badge #sb<pk>, and what other apps add to it (roadmap/extras.py), #x<pk>. A change
  // of status may fill them (they come back out of band): they are made first, where they go.
  function made(id, tag, parent, before) {
    var place = document.getElementById(id);
    if (!place) {
      place = document.createElement(tag);
      place.id = id;
      parent.insertBefore(place, before);
    }
    return place;
  }

  function extrasRegion(element) {
    var item = element.closest(".resource");
    return made("x" + item.id.replace("resource-", ""), "div", item, item.querySelector("r-a"));
  }

  function statusRegions(element) {
    var item = element.closest(".resource");
    var meta = item.querySelector(".resource-meta");
    if (meta) made("sb" + item.id.replace("resource-", ""), "span", meta, meta.firstChild);
    extrasRegion(element);
  }

  document.addEventListener("change", function (event) {
    var control = event.target;
    var sections = control.closest && control.closest("#roadmap-sections");
    if (!sections || !window.htmx) return;
    // The Done box's and the status menu's labels (#pt<pk>, #sf<pk>).
    var wrapper = control.closest("r-a > label");
    var kind = wrapper ? (control.tagName === "SELECT" ? "status" : "done") : null;
    var pk = kind && resourceId(control);
    if (!pk) return;
    var url = sections.dataset[kind].replace("/0/", "/" + pk + "/");
    statusRegions(control);
    // The controls have no ids (htmx keeps focus on an element of the same id): a learner on the
    // control stays on its replacement.
    var focused = document.activeElement === control;
    htmx.ajax("POST", url, { source: control, target: wrapper, swap: "outerHTML" }).then(function () {
      var again = focused && document.getElementById(wrapper.id);
      var field = again && again.querySelector("input, select");
      if (field && document.activeElement !== field) field.focus();
    });
  });

  // A button other apps put on a resource (roadmap/extras.py) belongs to the page's form and
  // posts it to its own formaction without JavaScript. Here it posts its name and value there
  // (with the page's form, which htmx adds) and replaces the resource's extras region (#x<pk>)
  // with the response, whatever its status: a refusal comes back as the region with its message.
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented) return;
    var button = event.target.closest && event.target.closest("button[formaction]");
    if (!button || !window.htmx || !button.closest("#roadmap-sections")) return;
    var pk = resourceId(button);
    if (!pk) return;
    var target = extrasRegion(button);
    event.preventDefault();
    var values = {};
    if (button.name) values[button.name] = button.value;
    // A learner on the button stays on its replacement (same name and value, new region).
    var focused = document.activeElement === button;
    var selector = 'button[name="' + button.name + '"][value="' + button.value + '"]';
    htmx.ajax("POST", button.getAttribute("formaction"), { source: button, target: target, swap: "outerHTML", values: values }).then(function () {
      var again = focused && document.getElementById("x" + pk);
      var field = again && again.querySelector(selector);
      if (field) field.focus();
    });
  });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    // Notes, Report a problem, Where I stopped (short ids, no classes: roadmap/_resource.html).
    var links = 'a[id^="nl"], a[href$="/report/"], a[id^="bm"]';
    var link = event.target.closest && event.target.closest(links);
    if (!link || !window.htmx || !link.closest("#roadmap-sections")) return;
    var pk = resourceId(link);
    if (!pk) return;
    event.preventDefault();
    if (link.id.indexOf("bm") === 0) {
      htmx.ajax("GET", link.href, { source: link, target: link, swap: "outerHTML" });
    } else {
      htmx.ajax("GET", link.href, { source: link, target: region(link), swap: "innerHTML" });
    }
  });

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
        var box = item.querySelector("r-a input[type=checkbox]");
        if (box) {
          box.click();
          announce(item, box.checked ? "d" : "n");
        }
        break;
      }
      case "p":
        setStatus(item, "p");
        break;
      case "s":
        setStatus(item, "s");
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
