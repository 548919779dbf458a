// Progressive enhancement only: every control also works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Sort: apply on change instead of needing the "Apply" button.
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

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
