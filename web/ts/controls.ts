// The top bar: room and connection, run controls (pause / resume, step, speed), large mode
// for projectors, and the language switch.

import type { Ctx } from "./ctx";
import { button, h, select, setText, storedGet, storedSet } from "./dom";
import { schedule } from "./frame";
import { t } from "./i18n";

export const SPEEDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 50, 200];

export function speedLabel(x: number): string {
  return `${x}×`;
}

const SLOW_KEY = "zablab.slowMotion";

/** slowMotionPref: this browser's choice of slow motion at key moments (on unless turned off). */
export function slowMotionPref(): boolean {
  return storedGet(SLOW_KEY) !== "0";
}

/** topBar builds the header. */
export function topBar(ctx: Ctx): HTMLElement {
  const { store } = ctx;
  const conn = h("span", { class: "conn", role: "status" });
  const roomName = h("span", { class: "room" });
  const pause = button(t("pause"), () => {
    const v = store.view;
    if (v) void ctx.run({ cmd: v.paused ? "resume" : "pause" });
  }, { class: "primary", "aria-keyshortcuts": "p" });
  const step = button(t("step"), () => void ctx.run({ cmd: "step" }), { "aria-keyshortcuts": "s" });
  const speed = select(SPEEDS.map((x) => [String(x), speedLabel(x)]), "1", { "aria-label": t("speed") });
  speed.addEventListener("change", () => void ctx.run({ cmd: "speed", speed: Number(speed.value) }));
  const large = button(t("largeMode"), () => ctx.setLarge(!ctx.large), { "aria-pressed": String(ctx.large) });
  const en = button("EN", () => ctx.setLang("en"), { lang: "en", "aria-pressed": String(ctx.lang === "en"), "aria-label": "English" });
  const zh = button("中文", () => ctx.setLang("zh"), { lang: "zh-CN", "aria-pressed": String(ctx.lang === "zh"), "aria-label": "中文" });
  const langs = h("div", { class: "seg", role: "group", "aria-label": t("language") }, en, zh);
  const time = h("span", { class: "simtime", "aria-hidden": "true" });
  // Slow motion at key moments: the room plays messages a person follows at 1/8 of the speed.
  const slowBox = h("input", { type: "checkbox", "aria-describedby": "slowmo-hint" });
  slowBox.checked = slowMotionPref();
  // The user's choice stands until a view carries it: a view published before the room
  // applied it must not flip the box back for a moment.
  let slowPending: boolean | null = null;
  slowBox.addEventListener("change", () => {
    const on = slowBox.checked;
    storedSet(SLOW_KEY, on ? "1" : "0");
    slowPending = on;
    void ctx.run({ cmd: "slowmotion", on }).then((r) => {
      if (!r.ok && slowPending === on) slowPending = null; // refused: the next view decides
    });
  });
  const slowLabel = h("label", { class: "check slowmo", title: t("slowMotionHint") }, slowBox, " ", ctx.large ? t("slowMotionShort") : t("slowMotion"));
  const slowHint = h("span", { id: "slowmo-hint", class: "sr-only" }, t("slowMotionHint"));

  const bar = h(
    "header",
    { class: "topbar" },
    h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }, "Z"), h("h1", {}, "zablab"), roomName, conn,
      store.room !== "main" ? h("a", { href: "/", class: "to-main" }, t("toMainRoom")) : null,
      h("a", { href: "/lessons", class: "to-lessons" }, t("lessonsLink"))),
    h("div", { class: "run", role: "group", "aria-label": t("runControls") }, pause, step, h("label", { class: "inline" }, t("speed"), " ", speed), slowLabel, slowHint, time),
    h("div", { class: "view-opts" }, large, langs),
  );
  // The bar's height (it wraps on narrow screens and in large mode) lets large mode fit the
  // picture into the rest of the screen (--topbar-h in app.css).
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => document.documentElement.style.setProperty("--topbar-h", `${bar.offsetHeight}px`)).observe(bar);
  }

  function render(): void {
    const v = store.view;
    setText(roomName, t("roomLabel", { room: store.room }));
    const st = store.conn;
    setText(conn, st === "live" ? t("connLive") : st === "connecting" ? t("connConnecting") : t("connReconnecting"));
    conn.className = `conn conn-${st}`;
    const can = store.canControl();
    pause.disabled = !v || !can;
    step.disabled = !v || !can;
    speed.disabled = !v || !can;
    if (v) {
      setText(pause, v.paused ? t("resume") : t("pause"));
      pause.setAttribute("aria-pressed", "false");
      const cur = String(v.speed);
      if (!SPEEDS.map(String).includes(cur)) {
        speed.append(h("option", { value: cur }, speedLabel(v.speed)));
      }
      if (speed.value !== cur) speed.value = cur;
    }
    const p = v?.pace;
    slowBox.disabled = !v || !can || (p !== undefined && !p.applies);
    if (p && (slowPending === null || p.slowMotion === slowPending)) {
      slowPending = null;
      slowBox.checked = p.slowMotion;
    }
    // While it slows the room down, the label lights up and its title says how slow.
    const slowing = !!p && p.slow && !v!.paused;
    slowLabel.title = p && !p.applies ? t("slowMotionNA") : slowing ? `${t("slowMotionNow", { rate: speedLabel(Number(p.rate.toPrecision(3))) })} — ${t("slowMotionHint")}` : t("slowMotionHint");
    slowLabel.classList.toggle("on", slowing);
  }
  function renderTime(): void {
    const v = store.view;
    if (!v) return;
    setText(time, `t = ${(ctx.clock.now(performance.now()) / 1000).toFixed(2)} s`);
  }
  ctx.scope.on(store, "view", () => schedule(render));
  ctx.scope.on(store, "conn", () => schedule(render));
  const timer = window.setInterval(renderTime, 100);
  ctx.scope.add(() => clearInterval(timer));
  render();
  return bar;
}

/** statusLine shows the latest notice; errors go to an assertive live region. */
export function statusLine(): { el: HTMLElement; show(text: string, kind: "info" | "error"): void } {
  const polite = h("p", { class: "notice", role: "status", "aria-live": "polite" });
  const alert = h("p", { class: "notice error", role: "alert" });
  const el = h("div", { class: "notices" }, polite, alert);
  let timer = 0;
  return {
    el,
    show(text, kind) {
      const target = kind === "error" ? alert : polite;
      const other = kind === "error" ? polite : alert;
      other.textContent = "";
      target.textContent = text;
      clearTimeout(timer);
      timer = window.setTimeout(() => {
        target.textContent = "";
      }, kind === "error" ? 9000 : 4000);
    },
  };
}
