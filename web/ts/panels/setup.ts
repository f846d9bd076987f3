// Cluster tab: a new cluster in this room (voters, observers, seed, timing) or a new sandbox
// room of one's own, and the teaching variants behind a clearly marked "break the protocol"
// switch.

import { createRoom } from "../api";
import type { Ctx } from "../ctx";
import { button, h, labelled, select } from "../dom";
import { schedule } from "../frame";
import { t, type Key } from "../i18n";
import type { ClusterSpec } from "../types";

const BUGS: { name: string; key: Key }[] = [
  { name: "commit-without-quorum", key: "bugCommitWithoutQuorum" },
  { name: "skip-truncate", key: "bugSkipTruncate" },
  { name: "elect-by-myid", key: "bugElectByMyid" },
];
const TIMINGS: [string, Key][] = [
  ["watch", "timingWatch"],
  ["zookeeper", "timingZooKeeper"],
  ["fast", "timingFast"],
];

function numberInput(name: string, min: number, max: number, value: number): HTMLInputElement {
  return h("input", { type: "number", name, min, max, step: 1, value, inputmode: "numeric" });
}

export function setupPanel(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const v0 = store.view;
  const voters = numberInput("nodes", 1, 9, v0?.voters ?? 5);
  const observers = numberInput("observers", 0, 4, v0?.observers ?? 0);
  const seed = numberInput("seed", 0, 2 ** 31, v0?.seed ?? 1);
  seed.removeAttribute("max");
  const timing = select(TIMINGS.map(([v, k]) => [v, t(k)]), v0?.timing.name || "watch", { name: "timing" });
  const breakSwitch = h("button", { type: "button", role: "switch", "aria-checked": String(!!v0?.bug), class: "switch danger-switch" }, t("breakProtocol"));
  const bugBox = h("fieldset", { class: "bugs" }, h("legend", {}, t("chooseBug")));
  const bugRadios: HTMLInputElement[] = [];
  for (const b of BUGS) {
    const r = h("input", { type: "radio", name: "bug", value: b.name });
    if (v0?.bug === b.name || (!v0?.bug && b === BUGS[0])) r.checked = true;
    bugRadios.push(r);
    bugBox.append(h("label", { class: "bug" }, r, " ", h("code", {}, b.name), h("span", { class: "why" }, t(b.key))));
  }
  bugBox.hidden = !v0?.bug;
  breakSwitch.addEventListener("click", () => {
    const on = breakSwitch.getAttribute("aria-checked") !== "true";
    breakSwitch.setAttribute("aria-checked", String(on));
    bugBox.hidden = !on;
  });

  function spec(): ClusterSpec | null {
    const n = Number(voters.value);
    const m = Number(observers.value);
    const sd = Number(seed.value);
    if (!Number.isInteger(n) || n < 1 || n > 9 || !Number.isInteger(m) || m < 0 || m > 4 || !Number.isInteger(sd) || sd < 0) {
      ctx.notify(t("badClusterSpec"), "error");
      return null;
    }
    const on = breakSwitch.getAttribute("aria-checked") === "true";
    const bug = on ? bugRadios.find((r) => r.checked)?.value ?? "" : "";
    return { nodes: n, observers: m, seed: sd, bug, timing: timing.value };
  }

  const reset = button(t("resetCluster"), async () => {
    const sp = spec();
    if (!sp) return;
    const r = await ctx.run({ cmd: "reset", ...sp });
    if (r.ok) ctx.notify(t("resetDone"));
  }, { class: "primary" });
  const randomSeed = button(t("randomSeed"), () => {
    seed.value = String(Math.floor(Math.random() * 1_000_000));
  });
  const sandbox = button(t("newSandbox"), async () => {
    const sp = spec();
    if (!sp) return;
    sandbox.disabled = true;
    const r = await createRoom(sp);
    sandbox.disabled = false;
    if (r.ok && r.result?.room) {
      location.assign(`/r/${encodeURIComponent(r.result.room)}`);
    } else {
      ctx.notify(t("sandboxFailed", { error: r.error ?? "" }), "error");
    }
  });
  const info = h("dl", { class: "facts" });

  function render(): void {
    const v = store.view;
    if (!v) return;
    reset.disabled = !v.canControl;
    breakSwitch.disabled = false;
    const tm = v.timing;
    info.replaceChildren(
      h("dt", {}, t("factSeed")), h("dd", {}, String(v.seed)),
      h("dt", {}, t("factServers")), h("dd", {}, t("factServersValue", { n: v.voters, m: v.observers })),
      h("dt", {}, t("factTiming")), h("dd", {}, `${tm.name}: tickTime ${tm.tickTime} ms, initLimit ${tm.initLimit}, syncLimit ${tm.syncLimit}, ${t("latency")} ${(tm.linkLatencyUs / 1000).toFixed(tm.linkLatencyUs < 1000 ? 1 : 0)} ms ± ${(tm.linkJitterUs / 1000).toFixed(tm.linkJitterUs < 1000 ? 1 : 0)}`),
      h("dt", {}, t("factBug")), h("dd", { class: v.bug ? "bug" : "" }, v.bug || t("none")),
    );
  }
  ctx.scope.on(store, "view", () => schedule(render));
  render();

  return h(
    "div",
    { class: "panel-body setup-panel" },
    h("h3", {}, t("thisCluster")),
    info,
    h("h3", {}, t("newCluster")),
    h("div", { class: "grid2" }, labelled(t("voters"), voters), labelled(t("observers"), observers), labelled(t("seed"), seed), labelled(t("timing"), timing)),
    h("div", { class: "buttons" }, randomSeed),
    h("div", { class: "break-box" }, breakSwitch, h("p", { class: "hint" }, t("breakHint")), bugBox),
    h("div", { class: "buttons" }, reset, sandbox),
    h("p", { class: "hint" }, t("resetHint")),
  );
}
