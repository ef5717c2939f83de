// The linkedin markup's behaviour: what LinkedIn's pages do late, by script, and what a walk must survive.
// Timings are fixed (no randomness): the same walk meets the same page every time.
(function () {
  "use strict";

  const LAZY_IMAGES_MS = 600;
  const MENU_BUILD_MS = 120;
  const OVERLAY_MS = 900;
  const CONSENT_MS = 500;
  const LATE_LEAK_MS = 50;
  const REDRAW_MS = 100;
  const desktop = () => window.matchMedia("(min-width: 768px)").matches;

  // ---- lazy images: the real photo URL waits in data-delayed-url ----
  function loadLazyImages(root) {
    setTimeout(() => {
      for (const img of root.querySelectorAll("img[data-delayed-url]")) {
        img.src = img.dataset.delayedUrl;
        img.removeAttribute("data-delayed-url");
      }
    }, LAZY_IMAGES_MS);
  }

  // ---- the member menu: built only after the click ----
  function menu(trigger, container, classes) {
    if (!trigger || !container) return;
    const setOpen = (open) => {
      trigger.setAttribute("aria-expanded", String(open));
      container.hidden = !open;
      document.body.classList.toggle("drawer-open", Boolean(open && classes.drawer));
      if (!open) container.replaceChildren();
    };
    trigger.addEventListener("click", () => {
      if (trigger.getAttribute("aria-expanded") === "true") return setOpen(false);
      setTimeout(() => {
        container.replaceChildren(document.getElementById("me-menu-template").content.cloneNode(true));
        for (const item of container.querySelectorAll(classes.hide)) item.remove();
        setOpen(true);
        loadLazyImages(container);
      }, MENU_BUILD_MS);
    });
    document.addEventListener("click", (event) => {
      if (trigger.getAttribute("aria-expanded") === "true" && !container.contains(event.target) &&
          !trigger.contains(event.target)) setOpen(false);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && trigger.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        trigger.focus();
      }
    });
  }

  function setUpMenus() {
    const drawer = document.createElement("aside");
    drawer.className = "mobile-drawer";
    drawer.hidden = true;
    document.querySelector(".application-outlet")?.appendChild(drawer);
    menu(document.getElementById("me-trigger"), document.getElementById("me-content"), {hide: ".layout-mobile:not(.layout-desktop)"});
    menu(document.getElementById("mobile-me-trigger"), drawer, {hide: ".layout-desktop:not(.layout-mobile)", drawer: true});
  }

  // ---- the messaging overlay and the consent banner arrive after load ----
  function later() {
    const overlay = document.getElementById("msg-overlay-template");
    if (overlay) setTimeout(() => { if (desktop()) document.body.appendChild(overlay.content.cloneNode(true)); }, OVERLAY_MS);
    const consent = document.getElementById("consent-banner");
    if (consent && !document.cookie.split("; ").some((c) => c.startsWith("li_gc="))) {
      setTimeout(() => {
        const container = document.getElementById("artdeco-global-alert-container");
        container.appendChild(consent.content.cloneNode(true));
        for (const button of container.querySelectorAll("button[action-type]")) {
          button.addEventListener("click", () => {
            document.cookie = `li_gc=${button.getAttribute("action-type")}; path=/; max-age=31536000; SameSite=Lax`;
            container.replaceChildren();
          });
        }
      }, CONSENT_MS);
    }
  }

  // ---- the settings app: content by data request, in-page navigation ----
  const app = document.getElementById("settings-app");

  async function request(url, options) {
    const response = await fetch(url, {credentials: "same-origin", ...options});
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    if ((response.status === 401 || response.status === 403) && body.redirect) {
      location.assign(body.redirect);  // signed out, or stopped by a security checkpoint
      return null;
    }
    return {ok: response.ok, status: response.status, body};
  }

  async function show(path) {
    app.setAttribute("aria-busy", "true");
    const answer = await request(`/voyager/api/settings/page?path=${encodeURIComponent(path)}`);
    if (!answer) return;
    if (!answer.ok) {
      app.innerHTML = '<main class="settings-content"><p class="settings-error" lang="en" dir="ltr">Something went wrong. Try again later.</p></main>';
    } else {
      app.innerHTML = answer.body.html;
      if (answer.body.title) document.title = `${answer.body.title} | Stand-in`;
      wireSettings();
      const late = app.querySelector("#late-leak");  // the late-personal-data variant
      if (late) setTimeout(() => late.parentElement.appendChild(late.content.cloneNode(true)), LATE_LEAK_MS);
    }
    app.removeAttribute("aria-busy");
  }

  function wireSettings() {
    for (const link of app.querySelectorAll("a[data-settings-link]")) {
      link.addEventListener("click", (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey) return;
        event.preventDefault();
        history.pushState(null, "", link.getAttribute("href"));
        window.scrollTo(0, 0);
        show(location.pathname);
      });
    }
    for (const toggle of app.querySelectorAll(".artdeco-toggle")) wireToggle(toggle);
    const form = app.querySelector("#language-form");
    if (form) {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const value = form.querySelector("select").value;
        const answer = await request("/mysettings-api/settingsApiSettings/interfaceLocale", {
          method: "PUT", headers: {"Content-Type": "application/json"}, body: JSON.stringify({interfaceLocale: value}),
        });
        if (answer && answer.ok) location.reload();
      });
    }
  }

  // A switch saves on change: disabled while the request runs, then its state text is updated. What it
  // shows is what the member clicked, even when the server refused to save it (only a reload tells).
  function wireToggle(toggle) {
    const input = toggle.querySelector("input");
    const text = toggle.querySelector(".artdeco-toggle__text");
    const ariaChecked = toggle.dataset.ariaChecked;
    input.addEventListener("change", async () => {
      const wanted = input.checked;
      input.disabled = true;
      toggle.classList.add("artdeco-toggle--saving");
      try {
        const answer = await request(`/voyager/api/settings/switch?path=${encodeURIComponent(toggle.dataset.setting)}`, {
          method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({on: wanted}),
        });
        if (!answer) return;
        text.textContent = wanted ? text.dataset.on : text.dataset.off;
        if (ariaChecked === "live") input.setAttribute("aria-checked", String(wanted));
      } finally {
        input.disabled = false;
        toggle.classList.remove("artdeco-toggle--saving");
      }
      if ("redrawn" in toggle.dataset) redraw(toggle, input);
    });
  }

  // The switch-redrawn variant: the element clicked is taken out and an equal one drawn a moment later in
  // its place (the last of the toggle's children), as a framework's re-render may do.
  function redraw(toggle, input) {
    const fresh = input.cloneNode(true);
    fresh.checked = input.checked;
    input.remove();
    setTimeout(() => {
      toggle.append(fresh);
      wireToggle(toggle);
    }, REDRAW_MS);
  }

  setUpMenus();
  loadLazyImages(document);
  later();
  if (app) {
    window.addEventListener("popstate", () => show(location.pathname));
    // After the page has loaded, as LinkedIn's settings app does.
    window.addEventListener("load", () => show(app.dataset.path));
  }
})();
