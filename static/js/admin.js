/* Django admin fix-ups (templates/admin/base_site.html). SelectFilter2.js (filter_horizontal) labels
   its search icon with aria-label on a plain <span>, which ARIA does not allow (axe
   "aria-prohibited-attr"): give such spans role="img" so the label is read out. The widget is built
   on the page's load event, hence the observer. */
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll("span[aria-label]:not([role])").forEach(function (span) {
      span.setAttribute("role", "img");
    });
    // A change list that scrolls sideways is reachable by keyboard (axe "scrollable-region-focusable").
    document.querySelectorAll("#changelist .results").forEach(function (region) {
      if (region.scrollWidth > region.clientWidth + 1 && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
      }
    });
  }
  new MutationObserver(fix).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", fix);
})();
