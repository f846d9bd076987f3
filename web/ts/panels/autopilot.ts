// The autopilot: a room that runs by itself for a demo (POST /api/rooms/{room}/autopilot) —
// background writes at a rate and a fault at an interval, each switchable. The Autopilot tab
// sets it; a banner tells every viewer that it is on and what it does.

import type { Ctx } from "../ctx";
import { button, h, labelled, setText } from "../dom";
import { schedule } from "../frame";
import { t, type Key } from "../i18n";
import type { Autopilot, AutopilotFault, RoomView } from "../types";

const FAULTS: { id: AutopilotFault; key: Key }[] = [
  { id: "leader", key: "autoFaultLeader" },
  { id: "crash", key: "autoFaultCrash" },
  { id: "partition", key: "autoFaultPartition" },
];

/** describeAutopilot says what the autopilot does, in the page's language. */
export function describeAutopilot(a: Autopilot): string {
  const parts: string[] = [];
  if (a.writesPerSec > 0) parts.push(t("autoWrites", { n: a.writesPerSec }));
  if (a.faultEverySec > 0) {
    const kinds = (a.faults ?? []).map((f) => t(FAULTS.find((x) => x.id === f)?.key ?? "autoFaultCrash")).join(", ");
    parts.push(t("autoFaults", { s: a.faultEverySec, kinds }));
  }
  return parts.join(" · ");
}

/** autopilotBanner tells every viewer, students included, that the room runs by itself. */
export function autopilotBanner(ctx: Ctx): HTMLElement {
  const el = h("p", { class: "autopilot-banner", role: "status", hidden: true });
  let key = "";
  const render = () => {
    const a = ctx.store.view?.autopilot;
    const k = JSON.stringify(a ?? null);
    if (k === key) return;
    key = k;
    el.hidden = !a;
    setText(el, a ? t("autoBanner", { what: describeAutopilot(a) }) : "");
  };
  ctx.scope.on(ctx.store, "view", () => schedule(render));
  render();
  return el;
}

function numberInput(value: string, min: number, max: number, step: number): HTMLInputElement {
  const el = h("input", { type: "number", min, max, step, inputmode: "decimal" });
  el.value = value;
  return el;
}

function check(text: string, attrs: Record<string, string> = {}): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = h("input", { type: "checkbox", ...attrs });
  return { label: h("label", { class: "check" }, input, " ", text), input };
}

export function autopilotPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const status = h("p", { class: "autopilot-status", role: "status" });
  const writesOn = check(t("autoWritesOn"));
  const rate = numberInput("2", 0.1, 200, 0.5);
  const faultsOn = check(t("autoFaultsOn"));
  const every = numberInput("20", 1, 3600, 1);
  const kinds = FAULTS.map((f) => ({ ...f, ...check(t(f.key), { value: f.id }) }));
  const start = button(t("autoStart"), () => void send(false), { class: "primary" });
  const stop = button(t("autoStop"), () => void send(true), { class: "danger" });
  let seen = "";

  /** form reads the settings; undefined (and an error shown) when a number is out of range. */
  function form(): Autopilot | undefined {
    const w = writesOn.input.checked ? Number(rate.value) : 0;
    const f = faultsOn.input.checked ? Number(every.value) : 0;
    const faults = kinds.filter((k) => k.input.checked).map((k) => k.id);
    if (!(w >= 0 && w <= 200) || !(f === 0 || (f >= 1 && f <= 3600))) {
      ctx.notify(t("autoBadNumber"), "error");
      return undefined;
    }
    if (f > 0 && faults.length === 0) {
      ctx.notify(t("autoNoFaultKind"), "error");
      return undefined;
    }
    if (w === 0 && f === 0) {
      ctx.notify(t("autoNothingOn"), "error");
      return undefined;
    }
    return f > 0 ? { writesPerSec: w, faultEverySec: f, faults } : { writesPerSec: w, faultEverySec: 0 };
  }

  async function send(off: boolean): Promise<void> {
    const a = off ? { writesPerSec: 0, faultEverySec: 0 } : form();
    if (!a) return;
    const r = await ctx.run({ cmd: "autopilot", ...a }, true);
    if (r.ok) ctx.notify(off ? t("autoStopped") : t("autoStarted"));
  }

  /** fill shows the setting in force when it changed (by this page or another viewer). */
  function fill(v: RoomView): void {
    const a = v.autopilot;
    const k = JSON.stringify(a ?? null);
    if (k === seen) return;
    seen = k;
    setText(status, a ? t("autoOnStatus", { what: describeAutopilot(a) }) : t("autoOffStatus"));
    status.classList.toggle("on", !!a);
    if (!a) return;
    writesOn.input.checked = a.writesPerSec > 0;
    if (a.writesPerSec > 0) rate.value = String(a.writesPerSec);
    faultsOn.input.checked = a.faultEverySec > 0;
    if (a.faultEverySec > 0) every.value = String(a.faultEverySec);
    for (const k of kinds) k.input.checked = (a.faults ?? []).includes(k.id);
  }

  function render(): void {
    const v = store.view;
    if (!v) return;
    fill(v);
    const can = v.canControl;
    writesOn.input.disabled = !can;
    faultsOn.input.disabled = !can;
    rate.disabled = !can || !writesOn.input.checked;
    every.disabled = !can || !faultsOn.input.checked;
    for (const k of kinds) k.input.disabled = !can || !faultsOn.input.checked;
    start.disabled = !can;
    stop.disabled = !can || !v.autopilot;
    setText(start, v.autopilot ? t("autoUpdate") : t("autoStart"));
  }

  writesOn.input.checked = true;
  kinds[0]!.input.checked = true;
  for (const el of [writesOn.input, faultsOn.input]) el.addEventListener("change", render);
  const later = () => schedule(render);
  ctx.scope.on(store, "view", later);
  render();

  return h(
    "div",
    { class: "panel-body autopilot-panel" },
    status,
    h("p", { class: "hint" }, t("autoHint")),
    h("fieldset", {}, h("legend", {}, t("autoWritesHeading")), writesOn.label, labelled(t("autoRate"), rate, "field inline")),
    h(
      "fieldset",
      {},
      h("legend", {}, t("autoFaultsHeading")),
      faultsOn.label,
      labelled(t("autoEvery"), every, "field inline"),
      h("div", { class: "fault-kinds", role: "group", "aria-label": t("autoKinds") }, ...kinds.map((k) => k.label)),
    ),
    h("div", { class: "buttons" }, start, stop),
  );
}
