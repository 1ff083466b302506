/* The staff pages' few behaviours, from a file: the Content-Security-Policy allows no inline
   script and no inline style (script-src 'self'; style-src 'self'). Works on the first page
   and on every fragment htmx swaps in. */
(function () {
  "use strict";

  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) fn(root);
    if (root.querySelectorAll) root.querySelectorAll(selector).forEach(fn);
  }

  /* Bars: <span class="bar" data-bar="42.5"> is 42.5 % wide (set through the CSSOM, which
     the policy allows, instead of a style attribute, which it does not). */
  function bars(root) {
    each(root, "[data-bar]", function (el) {
      var percent = parseFloat(el.getAttribute("data-bar"));
      if (!isNaN(percent)) el.style.width = Math.max(0, Math.min(100, percent)) + "%";
    });
  }

  /* "Tick all": <input type="checkbox" data-tick-all="item"> ticks every box named "item". */
  function tickAll(root) {
    each(root, "[data-tick-all]", function (box) {
      if (box.dataset.bound) return;
      box.dataset.bound = "1";
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-tick-all");
        document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(
          function (other) { other.checked = box.checked; }
        );
      });
    });
  }

  /* The access-request form shows the fieldsets of the chosen kind of request only. */
  function requestKinds(root) {
    each(root, "#access-request-form", function (form) {
      var kind = form.querySelector("[name=kind]");
      if (!kind || form.dataset.bound) return;
      form.dataset.bound = "1";
      function show() {
        form.querySelectorAll("[data-kinds]").forEach(function (el) {
          el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(kind.value) < 0;
        });
      }
      kind.addEventListener("change", show);
      show();
    });
  }

  /* Type-ahead: <input data-typeahead="/audit/people/" list="L"> fills the datalist L with
     the JSON endpoint's {"results": [{"value", "label"}]} for what was typed. */
  function typeahead(root) {
    each(root, "[data-typeahead]", function (input) {
      if (input.dataset.bound) return;
      input.dataset.bound = "1";
      var list = document.getElementById(input.getAttribute("list"));
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        var text = input.value.trim();
        if (!list || !text) return;
        timer = setTimeout(function () {
          var url = input.getAttribute("data-typeahead") + "?q=" + encodeURIComponent(text);
          fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) {
              list.replaceChildren();
              (data.results || []).forEach(function (row) {
                var option = document.createElement("option");
                option.value = row.value;
                option.label = row.label;
                option.textContent = row.label;
                list.appendChild(option);
              });
            })
            .catch(function () {});
        }, 250);
      });
    });
  }

  /* Dates and times never break inside ("2026-\n12-02"): each date in the page's text is
     wrapped in <span class="nowrap">, on the first page and on every swapped fragment. */
  var DATE = /\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\b\d{2}:\d{2}:\d{2}\b/g;
  function dates(root) {
    if (!root || !root.nodeType || root.nodeType !== 1) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var found = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var parent = node.parentElement;
      if (!parent || parent.closest("script, style, textarea, option, .nowrap")) continue;
      DATE.lastIndex = 0;
      if (DATE.test(node.nodeValue)) found.push(node);
    }
    found.forEach(function (text) {
      var value = text.nodeValue, last = 0, out = document.createDocumentFragment(), m;
      DATE.lastIndex = 0;
      while ((m = DATE.exec(value)) !== null) {
        if (m.index > last) out.appendChild(document.createTextNode(value.slice(last, m.index)));
        var span = document.createElement("span");
        span.className = "nowrap";
        span.textContent = m[0];
        out.appendChild(span);
        last = m.index + m[0].length;
      }
      if (last < value.length) out.appendChild(document.createTextNode(value.slice(last)));
      text.parentNode.replaceChild(out, text);
    });
  }

  function init(root) {
    dates(root === document ? document.body : root);
    bars(root);
    tickAll(root);
    requestKinds(root);
    typeahead(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });

  /* The top bar's menus (<details class="menu">): one open at a time, closed by a click
     elsewhere or by Escape. */
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
  });
})();
