// "Cite" links and copy buttons (issue 29). Progressive enhancement: without this script a
// "Cite" link opens the document's citation page, where the citations can be selected.
(function () {
  "use strict";

  function copyText(button) {
    var holder = button.closest(".cite-style");
    var text = holder ? holder.querySelector(".cite-text").textContent : "";
    var label = button.textContent;
    function done(word) {
      button.textContent = word;
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done("Copied"); }, function () {
        selectText(holder); done("Press Ctrl+C");
      });
    } else {
      selectText(holder); done("Press Ctrl+C");
    }
  }

  function selectText(holder) {
    var range = document.createRange();
    range.selectNodeContents(holder.querySelector(".cite-text"));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function bindCopy(root) {
    root.querySelectorAll("button.copy-cite").forEach(function (button) {
      button.addEventListener("click", function () { copyText(button); });
    });
  }

  // A "Cite" link opens its citations in place, below the link; a second click closes them.
  function openCitations(event) {
    var link = event.currentTarget;
    if (!window.fetch || !window.DOMParser) { return; }
    event.preventDefault();
    var shown = null;  // not a selector: a document id may hold quotes
    Array.prototype.forEach.call(link.parentNode.children, function (child) {
      if (child.classList.contains("cite-popover") && child.getAttribute("data-for") === link.href) {
        shown = child;
      }
    });
    if (shown) {
      shown.remove();
      link.setAttribute("aria-expanded", "false");
      return;
    }
    fetch(link.href)
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var panel = new DOMParser().parseFromString(html, "text/html").querySelector(".cite-panel");
        if (!panel) { window.location.href = link.href; return; }
        var box = document.createElement("div");
        box.className = "cite-popover";
        box.setAttribute("data-for", link.href);
        box.appendChild(document.importNode(panel, true));
        link.parentNode.appendChild(box);
        link.setAttribute("aria-expanded", "true");
        bindCopy(box);
        var first = box.querySelector("button.copy-cite");
        if (first) { first.focus(); }
      })
      .catch(function () { window.location.href = link.href; });
  }

  bindCopy(document);
  document.querySelectorAll("a.cite-link").forEach(function (link) {
    link.addEventListener("click", openCitations);
  });
})();
