/* Step anchors inside content tabs: opening /#app-mobile-open-settings selects the tab holding it.
   Old anchors listed in docs/links-contract.json "redirects" move to their new place.
   Each tab panel carries its tab's name, so the print style can title it. The language switch keeps the
   step anchor. */
(function () {
  "use strict";

  function redirectOldAnchor() {
    var data = document.getElementById("ss-anchor-redirects");
    if (!data) return false;
    var target = JSON.parse(data.textContent)[decodeURIComponent(location.hash.slice(1))];
    if (target) location.replace(target);
    return Boolean(target);
  }

  function openTabHolding(id) {
    var element = id && document.getElementById(id);
    if (!element) return;
    var block = element.closest(".tabbed-block");
    while (block) {
      var set = block.closest(".tabbed-set");
      var index = Array.prototype.indexOf.call(block.parentElement.children, block);
      var input = set.querySelectorAll(":scope > input")[index];
      if (input && !input.checked) input.click();
      block = set.parentElement && set.parentElement.closest(".tabbed-block");
    }
    element.scrollIntoView();
  }

  function nameTabPanels() {
    document.querySelectorAll(".tabbed-set").forEach(function (set) {
      var labels = set.querySelectorAll(":scope > .tabbed-labels > label");
      var blocks = set.querySelectorAll(":scope > .tabbed-content > .tabbed-block");
      blocks.forEach(function (block, i) {
        if (labels[i]) block.setAttribute("data-ss-tab", labels[i].textContent.trim());
      });
    });
  }

  // Step anchors are the same in every language: switching language keeps the step the reader is on.
  function keepStepOnLanguageSwitch() {
    document.querySelectorAll(".md-select__link[hreflang]").forEach(function (link) {
      link.addEventListener("click", function () {
        if (location.hash) link.hash = location.hash;
      });
    });
  }

  function onHash() {
    if (!redirectOldAnchor()) openTabHolding(decodeURIComponent(location.hash.slice(1)));
  }

  nameTabPanels();
  keepStepOnLanguageSwitch();
  onHash();
  window.addEventListener("hashchange", onHash);
})();
