// The stand-in's behaviour: the Me menu (a disclosure), the switches (saved on the server), the consent dialog.
(function () {
  "use strict";

  const REDRAW_MS = 100;  // the switch-redrawn variant: how long the switch is gone before it is drawn anew

  const meButton = document.getElementById("me-button");
  const meMenu = document.getElementById("me-menu");
  const meBackdrop = document.getElementById("me-backdrop");
  if (meButton && meMenu) {
    const setOpen = (open) => {
      meMenu.hidden = !open;
      meBackdrop.hidden = !open;
      meButton.setAttribute("aria-expanded", String(open));
    };
    meButton.addEventListener("click", () => setOpen(meMenu.hidden));
    document.addEventListener("click", (event) => {
      if (!meMenu.hidden && !meMenu.contains(event.target) && !meButton.contains(event.target)) setOpen(false);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !meMenu.hidden) {
        setOpen(false);
        meButton.focus();
      }
    });
  }

  // A switch shows only what the server has saved: aria-checked changes once the server confirms.
  function wireSwitch(control) {
    control.addEventListener("click", async () => {
      if (control.getAttribute("aria-busy") === "true") return;
      const wanted = control.getAttribute("aria-checked") !== "true";
      control.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(location.pathname, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ on: wanted }),
          credentials: "same-origin",
        });
        if (response.status === 401 || response.status === 403) {
          const body = await response.json();
          location.assign(body.redirect);  // signed out or stopped by a checkpoint meanwhile
          return;
        }
        if (response.ok) {
          const saved = await response.json();
          control.setAttribute("aria-checked", String(saved.on));
          const state = control.parentElement.querySelector(".switch-state");
          if (state) state.textContent = saved.on ? state.dataset.on : state.dataset.off;
        }
      } finally {
        control.removeAttribute("aria-busy");
      }
      if ("redrawn" in control.dataset) {  // the switch-redrawn variant: an equal element, a moment later
        const row = control.parentElement;
        const fresh = control.cloneNode(true);
        control.remove();
        setTimeout(() => {
          row.append(fresh);
          wireSwitch(fresh);
        }, REDRAW_MS);
      }
    });
  }
  for (const control of document.querySelectorAll('[role="switch"]')) wireSwitch(control);

  const consent = document.getElementById("consent");
  if (consent) {
    consent.addEventListener("cancel", (event) => event.preventDefault());  // only an answer closes it
    for (const button of consent.querySelectorAll("[data-consent]")) {
      button.addEventListener("click", () => {
        document.cookie = `li_gc=${button.dataset.consent}; path=/; max-age=31536000; SameSite=Lax`;
        consent.close();
      });
    }
    consent.showModal();
    consent.focus();  // the dialog itself, not its first button: no focus ring on a choice nobody made
  }
})();
