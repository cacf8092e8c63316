/*
 * Loaded before the ipywidgets HTML manager (embed-amd.js) on pages that show widgets; see
 * nb_ipywidgets_js in _config.yml. scripts/fetch_assets.py copies it to the site's vendor/ folder.
 *
 * 1. The manager's webpack bundles find their files (icon fonts) next to the URL RequireJS gives
 *    their AMD module (@jupyter-widgets/controls, ...), by default page-relative, which does not
 *    exist here: map the @jupyter-widgets module prefix to our copy, and set the override some
 *    bundles read.
 * 2. The manager typesets widget labels with the MathJax 2 call MathJax.Hub.Queue(...), which
 *    MathJax 3 does not have, so a page with both math and widgets throws a TypeError. Give each
 *    MathJax 3 object (MathJax replaces window.MathJax when it starts) a Hub that forwards to
 *    MathJax 3's typesetPromise.
 * 3. The theme's Font Awesome script replaces every <i class="fa ..."> with an <svg>, but the Play
 *    widget finds its icon as the <i> inside its button to switch play and pause, and throws a
 *    TypeError once the <i> is gone, which also stops the slider linked to it. Ask Font Awesome to
 *    nest the <svg> inside the <i> instead (this script runs before the theme's deferred scripts), and
 *    hide it in widgets, which draw the same icon with the manager's own icon font.
 */
(function () {
  "use strict";
  window.FontAwesomeConfig = Object.assign({}, window.FontAwesomeConfig, { autoReplaceSvg: "nest" });
  var iconStyle = document.createElement("style");
  iconStyle.textContent = ".jupyter-widgets i.fa > svg { display: none; }";
  document.head.appendChild(iconStyle);
  var here = document.currentScript && document.currentScript.src;
  if (here) {
    window.__jupyter_widgets_assets_path__ = new URL("html-manager/", here).href;
    if (window.requirejs) {
      // The bundle defines @jupyter-widgets/base, /controls, ... and each finds its fonts
      // next to its own module URL: point the whole @jupyter-widgets prefix at our copy.
      var manager = new URL("html-manager", here).href;
      window.requirejs.config({
        paths: { "@jupyter-widgets": manager, "@jupyter-widgets/html-manager/dist": manager },
      });
    }
  }

  var hub = {
    Queue: function (job) {
      var element = job && job[2];
      var mathjax = window.MathJax;
      if (element && mathjax && typeof mathjax.typesetPromise === "function") {
        mathjax.typesetPromise([element]).catch(function (err) {
          console.warn("MathJax could not typeset a widget label:", err);
        });
      }
    },
  };
  function addHub(value) {
    // Only the running MathJax 3 (it has a version), never the configuration object before it.
    if (value && typeof value === "object" && value.version && !value.Hub) {
      value.Hub = hub;
    }
  }

  var current = window.MathJax;
  addHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = value;
      addHub(value);
    },
  });
})();
