/* The customer picker: a type-ahead on 档案号 / name for inputs marked
   data-customer-picker="one|multiple". Without JavaScript the input stays a plain text field
   that takes file numbers. Results come masked from data-picker-url (JSON), limited to what
   the person may see; the purpose is the form's own purpose field or data-picker-purpose. */
(function () {
  "use strict";
  var SEPARATORS = /[\s,，、;；]+/;

  function currentToken(input, multiple) {
    if (!multiple) return input.value.trim();
    var parts = input.value.split(SEPARATORS);
    return (parts[parts.length - 1] || "").trim();
  }

  function putNumber(input, multiple, number) {
    if (!multiple) {
      input.value = number;
      return;
    }
    var text = input.value;
    var match = text.match(/[^\s,，、;；]*$/);
    var head = text.slice(0, text.length - (match ? match[0].length : 0));
    input.value = head + number + ", ";
  }

  function purposeOf(input) {
    var form = input.form;
    var field = form ? form.querySelector("[name=purpose]") : null;
    if (field && field.value) return field.value;
    return input.getAttribute("data-picker-purpose") || "";
  }

  function attach(input) {
    var multiple = input.getAttribute("data-customer-picker") === "multiple";
    var url = input.getAttribute("data-picker-url");
    var born = input.getAttribute("data-picker-born") || "";
    var tail = input.getAttribute("data-picker-id-tail") || "";
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.id = (input.id || "customers") + "-picker";
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");
    input.insertAdjacentElement("afterend", list);
    var timer = null;
    var active = -1;
    var asked = 0;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
    }

    function choose(number) {
      putNumber(input, multiple, number);
      close();
      input.focus();
    }

    function show(results) {
      list.innerHTML = "";
      active = -1;
      results.forEach(function (r) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.className = "picker-option";
        li.dataset.number = r.archive_no;
        var facts = [r.archive_no, r.name];
        if (r.birth_year) facts.push(born + " " + r.birth_year);
        if (r.id_last4) facts.push(tail + " " + r.id_last4);
        li.textContent = facts.join(" · ");
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(r.archive_no);
        });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
    }

    function message(text) {
      list.innerHTML = "";
      var li = document.createElement("li");
      li.className = "picker-message";
      li.textContent = text;
      list.appendChild(li);
      list.hidden = false;
    }

    function ask() {
      var q = currentToken(input, multiple);
      if (!q) {
        close();
        return;
      }
      var n = ++asked;
      var query = "?q=" + encodeURIComponent(q) + "&purpose=" + encodeURIComponent(purposeOf(input));
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().catch(function () { return {}; });
        })
        .then(function (body) {
          if (n !== asked) return;
          if (body && body.error) message(body.error.message);
          else show((body && body.results) || []);
        })
        .catch(close);
    }

    function highlight(step) {
      var options = list.querySelectorAll(".picker-option");
      if (!options.length) return;
      active = (active + step + options.length) % options.length;
      options.forEach(function (o, i) {
        o.setAttribute("aria-selected", i === active ? "true" : "false");
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(-1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll(".picker-option")[active].dataset.number);
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() {
    document.querySelectorAll("[data-customer-picker]").forEach(attach);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
