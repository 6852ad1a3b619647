/* The involved-State picker: a filter box over the grouped checkboxes (progressive
   enhancement; without this script every State stays listed and can be ticked). */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_match, key) { return values[key]; });
  }

  function enhance(picker) {
    var filter = picker.querySelector(".state-picker-filter");
    var input = filter.querySelector("input");
    var shown = filter.querySelector(".state-picker-shown");
    var chosen = picker.querySelector(".state-picker-chosen");
    var regions = Array.prototype.slice.call(picker.querySelectorAll(".state-picker-region"));
    var total = picker.getAttribute("data-total");

    function applyFilter() {
      var query = fold(input.value);
      var count = 0;
      regions.forEach(function (region) {
        var visible = 0;
        region.querySelectorAll("li").forEach(function (item) {
          var match = !query || fold(item.textContent).indexOf(query) !== -1;
          item.hidden = !match;
          if (match) { visible += 1; }
        });
        region.hidden = visible === 0;
        count += visible;
      });
      shown.textContent = format(picker.getAttribute("data-shown-text"), { shown: count, total: total });
    }

    function showChosen() {
      var names = Array.prototype.map.call(
        picker.querySelectorAll("input[type=checkbox]:checked"),
        function (box) { return box.parentNode.textContent.trim(); }
      );
      chosen.textContent = names.length
        ? format(picker.getAttribute("data-chosen-text"), { names: names.join(", ") })
        : picker.getAttribute("data-none-chosen-text");
    }

    input.addEventListener("input", applyFilter);
    input.addEventListener("keydown", function (event) {
      // Enter in the filter box must not submit the form half-filled.
      if (event.key === "Enter") { event.preventDefault(); }
      if (event.key === "Escape" && input.value) { event.preventDefault(); input.value = ""; applyFilter(); }
    });
    picker.addEventListener("change", showChosen);
    filter.hidden = false;
    chosen.hidden = false;
    applyFilter();
    showChosen();
  }

  function start() {
    document.querySelectorAll("[data-state-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
