/* Questionnaire helpers. Everything works without this file; it only adds conveniences:
 * - cooperation cases: "Add a case" clones the formset's empty form; "Remove" greys a case out;
 * - conditional questions are hidden until the answer they depend on applies. */
(function () {
  "use strict";

  function setupFormset(form) {
    var prefix = form.getAttribute("data-formset");
    var list = document.getElementById(prefix + "-list");
    var template = document.getElementById(prefix + "-empty-form");
    var addButton = document.getElementById("add-case");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var noJsHelp = document.getElementById(prefix + "-nojs-help");
    if (!list || !template || !addButton || !total) { return; }
    addButton.hidden = false;
    if (noJsHelp) { noJsHelp.hidden = true; }

    function number() {
      var cases = list.querySelectorAll("[data-case]");
      for (var i = 0; i < cases.length; i++) {
        var n = cases[i].querySelector(".q-case-number");
        if (n) { n.textContent = String(i + 1); }
      }
    }

    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fieldset = holder.firstElementChild;
      list.appendChild(fieldset);
      total.value = String(index + 1);
      number();
      var first = fieldset.querySelector("input[type='text'], textarea");
      if (first) { first.focus(); }
    });

    list.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-delete-toggle")) {
        event.target.closest("[data-case]").classList.toggle("q-removed", event.target.checked);
      }
    });
    number();
  }

  function setupConditionals(form) {
    var rows = form.querySelectorAll("[data-depends-on]");
    Array.prototype.forEach.call(rows, function (row) {
      var name = row.getAttribute("data-depends-on");
      var values = row.getAttribute("data-depends-value").split(" ");
      var inputs = form.querySelectorAll("[name='" + name + "']");
      function update() {
        var show = false;
        Array.prototype.forEach.call(inputs, function (input) {
          if (input.checked && values.indexOf(input.value) !== -1) { show = true; }
        });
        // Never hide a question that holds an answer or an error.
        var field = row.querySelector("input, textarea, select");
        if (field && field.value) { show = true; }
        if (row.classList.contains("field-error")) { show = true; }
        row.classList.toggle("q-hidden", !show);
      }
      Array.prototype.forEach.call(inputs, function (input) { input.addEventListener("change", update); });
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var formsetForm = document.querySelector("form[data-formset]");
    if (formsetForm) { setupFormset(formsetForm); }
    var sectionForm = document.getElementById("section-form");
    if (sectionForm) { setupConditionals(sectionForm); }
  });
})();
