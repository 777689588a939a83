/* Behaviour shared by every page (loaded by base.html; no inline scripts: the CSP forbids them).
   See docs/ui-patterns.md. */
(function () {
  "use strict";

  /* A region that scrolls sideways (a wide table on a narrow screen) must be reachable by
     keyboard (WCAG 2.1.1, axe "scrollable-region-focusable"): make it focusable while, and only
     while, it actually overflows, so regions that fit add no extra tab stop. */
  function markScrollable() {
    document.querySelectorAll(".table-responsive, [data-scroll-region]").forEach(function (region) {
      var overflows = region.scrollWidth > region.clientWidth + 1;
      if (overflows && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("data-scroll-focus", "");
      } else if (!overflows && region.hasAttribute("data-scroll-focus")) {
        region.removeAttribute("tabindex");
        region.removeAttribute("data-scroll-focus");
      }
    });
  }

  markScrollable();
  var timer;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(markScrollable, 150);
  });
})();
