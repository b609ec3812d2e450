// An enhancement only: the pages are whole without it. Adds a filter box above each package table
// and a copy button to each set-up snippet.
(function () {
  "use strict";
  document.querySelectorAll("table.packages").forEach(function (table) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "filter";
    input.placeholder = "Filter packages";
    input.setAttribute("aria-label", "Filter packages");
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    table.parentNode.insertBefore(input, table);
  });
  document.querySelectorAll("pre.snippet").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.addEventListener("click", function () {
      var text = pre.firstChild ? pre.firstChild.textContent : "";
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, function () {});
    });
    pre.appendChild(button);
  });
})();
