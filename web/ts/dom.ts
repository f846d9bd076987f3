// Tiny DOM helpers: no framework, just element builders.

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

function setAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
}

/** h builds an HTML element: h("button", {type: "button"}, "Crash"). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVGNS = "http://www.w3.org/2000/svg";

/** s builds an SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVGNS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** clear removes every child of el. */
export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** setText changes a node's text only when it differs (avoids layout work). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** setAttr changes an attribute only when it differs. */
export function setAttr(el: Element, name: string, value: string | number): void {
  const v = String(value);
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

/** toggle sets or removes a boolean attribute. */
export function toggleAttr(el: Element, name: string, on: boolean): void {
  if (on) {
    if (!el.hasAttribute(name)) el.setAttribute(name, "");
  } else if (el.hasAttribute(name)) {
    el.removeAttribute(name);
  }
}

/** button builds a type=button button with a click handler. */
export function button(label: string, onClick: (ev: MouseEvent) => void, attrs?: Attrs): HTMLButtonElement {
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", onClick);
  return b;
}

let uid = 0;
/** newId returns a document-unique id with a prefix, for label/for pairs. */
export function newId(prefix: string): string {
  uid++;
  return `${prefix}-${uid}`;
}

/** labelled builds a <label> + control pair with a shared id. */
export function labelled(text: string, control: HTMLElement, cls = "field"): HTMLElement {
  const id = control.id || newId("f");
  control.id = id;
  return h("div", { class: cls }, h("label", { for: id }, text), control);
}

/** select builds a <select> from [value, label] pairs. */
export function select(options: [string, string][], value: string, attrs?: Attrs): HTMLSelectElement {
  const el = h("select", attrs);
  for (const [v, l] of options) {
    const o = h("option", { value: v }, l);
    if (v === value) o.selected = true;
    el.append(o);
  }
  return el;
}

/** checkbox builds a labelled checkbox. */
export function checkbox(text: string, checked: boolean, onChange: (on: boolean) => void, attrs?: Attrs): HTMLLabelElement {
  const input = h("input", { type: "checkbox", ...attrs });
  input.checked = checked;
  input.addEventListener("change", () => onChange(input.checked));
  return h("label", { class: "check" }, input, " ", text);
}

/** isHidden reports whether el is inside a hidden tab panel (or not in the page). */
export function isHidden(el: Element): boolean {
  return !el.isConnected || el.closest("[hidden]") !== null;
}

/** storedGet reads browser storage; it is null when storage is unavailable (an iframe whose
 * third-party storage is blocked throws on any access). */
export function storedGet(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** storedSet writes browser storage when it is available. */
export function storedSet(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // unavailable: the choice lasts for this page only
  }
}
