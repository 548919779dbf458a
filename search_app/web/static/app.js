// Progressive enhancement only: every control also works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Sort: apply on change instead of needing the "Apply" button.
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Search box: completions from /api/suggest in a <datalist> as the user types.
  var box = document.getElementById("q");
  if (box && window.fetch) {
    var list = document.createElement("datalist");
    var timer = null;
    var asked = "";
    list.id = "q-suggestions";
    box.parentNode.appendChild(list);
    box.setAttribute("list", list.id);
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value;
        if (q.trim().length < 2 || q === asked) { return; }
        asked = q;
        fetch("/api/suggest?limit=8&q=" + encodeURIComponent(q))
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (body) {
            if (box.value !== q) { return; }  // the user typed on: this answer is stale
            list.textContent = "";
            body.suggestions.forEach(function (suggestion) {
              var option = document.createElement("option");
              option.value = suggestion.text;
              list.appendChild(option);
            });
          })
          .catch(function () { /* completions are optional */ });
      }, 150);
    });
  }

  // Document page: bring the passage from the results into view and give it focus.
  var current = document.querySelector(".passage.current");
  if (current && !location.hash) {
    current.scrollIntoView({ block: "center" });
  }
  if (current) { current.focus({ preventScroll: true }); }

  // Document page: "Next match" jumps from one marked word to the next.
  var marks = Array.prototype.slice.call(document.querySelectorAll(".doc-text mark"));
  var next = document.querySelector(".next-match");
  var index = -1;
  if (next) {
    if (!marks.length) { next.hidden = true; }
    next.addEventListener("click", function (event) {
      event.preventDefault();
      if (!marks.length) { return; }
      index = (index + 1) % marks.length;
      marks[index].scrollIntoView({ block: "center" });
      marks.forEach(function (m) { m.classList.remove("active"); });
      marks[index].classList.add("active");
    });
  }
})();
