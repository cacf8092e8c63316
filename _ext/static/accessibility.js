/* Widgets are drawn in the browser, after the page loads: give each slider the name of its label
   (ipywidgets draws the label next to the slider without linking the two). */
(function () {
  "use strict";
  function nameSliders(root) {
    root.querySelectorAll('[role="slider"]:not([aria-label]):not([aria-labelledby])').forEach(function (slider) {
      var box = slider.closest(".widget-slider, .widget-hslider, .widget-vslider, .widget-inline-hbox");
      var label = box && box.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      if (text) {
        slider.setAttribute("aria-label", text);
      }
    });
  }
  new MutationObserver(function () { nameSliders(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { nameSliders(document); });
})();
