/* Widgets are drawn in the browser, after the page loads: give each slider the name of its label
   (ipywidgets draws the label next to the slider without linking the two), and each Play button a name. */
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
  // A Play widget's buttons show only an icon (and play turns into pause): name each by its icon.
  var PLAY_ICONS = { "fa-play": "Play", "fa-pause": "Pause", "fa-stop": "Stop", "fa-retweet": "Repeat" };
  function namePlayButtons(root) {
    root.querySelectorAll(".widget-play button").forEach(function (button) {
      var icon = button.querySelector("i");
      var name = icon && PLAY_ICONS[[].find.call(icon.classList, function (c) { return c in PLAY_ICONS; })];
      if (name && button.getAttribute("aria-label") !== name) {
        button.setAttribute("aria-label", name);
        button.title = name;
      }
    });
  }
  function nameWidgets() {
    nameSliders(document);
    namePlayButtons(document);
  }
  new MutationObserver(nameWidgets)
    .observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  document.addEventListener("DOMContentLoaded", nameWidgets);
})();
