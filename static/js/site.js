/* On every page (base.html).

   The header's menu on a phone: below 1000px the navigation folds behind a "菜单" button, so
   every link (退出 included) is reachable without a header that scrolls sideways. Without
   JavaScript the button stays hidden and the navigation stays open (it wraps).

   A table too wide for the screen scrolls inside its .table-wrap; such a box is made focusable
   so it can be scrolled from the keyboard too (WCAG 2.1.1). */
(function () {
  "use strict";
  function scrollersFocusable() {
    var boxes = document.querySelectorAll(".table-wrap, [data-scrolls]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
      }
    }
  }

  function setUp() {
    scrollersFocusable();
    window.addEventListener("resize", scrollersFocusable);
    // Live pages fill their tables later (dashboards, the meetings grid): look again after changes.
    var queued = false;
    new MutationObserver(function () {
      if (queued) { return; }
      queued = true;
      window.requestAnimationFrame(function () { queued = false; scrollersFocusable(); });
    }).observe(document.body, { childList: true, subtree: true });
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) { return; }
    header.classList.add("has-menu");
    toggle.hidden = false;
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
