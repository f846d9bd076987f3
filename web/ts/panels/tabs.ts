// An accessible tab set (WAI-ARIA tabs pattern): arrow keys move between tabs, Home/End jump,
// the open tab's panel follows. Panels are built once and hidden, not rebuilt.

import { h, newId } from "../dom";

export interface TabSpec {
  id: string;
  label: string;
  panel: HTMLElement;
}

export function tabs(label: string, specs: TabSpec[], initial: string, onChange?: (id: string) => void): HTMLElement {
  const list = h("div", { role: "tablist", "aria-label": label, class: "tablist" });
  const panels = h("div", { class: "tabpanels" });
  const btns: HTMLButtonElement[] = [];
  const prefix = newId("tab");

  function open(id: string, focus: boolean): void {
    specs.forEach((sp, i) => {
      const b = btns[i]!;
      const on = sp.id === id;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      sp.panel.hidden = !on;
      if (on && focus) b.focus();
    });
    onChange?.(id);
  }

  specs.forEach((sp, i) => {
    const b = h("button", {
      type: "button",
      role: "tab",
      id: `${prefix}-${sp.id}`,
      "aria-controls": `${prefix}-${sp.id}-panel`,
      class: "tab",
    }, sp.label);
    b.addEventListener("click", () => open(sp.id, false));
    b.addEventListener("keydown", (ev: KeyboardEvent) => {
      let j = -1;
      if (ev.key === "ArrowRight") j = (i + 1) % specs.length;
      else if (ev.key === "ArrowLeft") j = (i - 1 + specs.length) % specs.length;
      else if (ev.key === "Home") j = 0;
      else if (ev.key === "End") j = specs.length - 1;
      if (j >= 0) {
        ev.preventDefault();
        open(specs[j]!.id, true);
      }
    });
    btns.push(b);
    list.append(b);
    sp.panel.id = `${prefix}-${sp.id}-panel`;
    sp.panel.setAttribute("role", "tabpanel");
    sp.panel.setAttribute("aria-labelledby", b.id);
    sp.panel.tabIndex = 0;
    sp.panel.classList.add("tabpanel");
    panels.append(sp.panel);
  });
  open(specs.some((sp) => sp.id === initial) ? initial : specs[0]!.id, false);
  return h("section", { class: "tabs" }, list, panels);
}
