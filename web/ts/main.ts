// Entry point: read the page kind, room and language from the page shell and start the app:
// the lab (data-page="lab"), the lesson index ("lessons") or a lesson's player ("lesson").

import { App } from "./app";
import { detectLang, setLang } from "./i18n";
import { lessonPage, lessonsIndex } from "./lesson/pages";

function boot(): void {
  const root = document.getElementById("app");
  if (!root) return;
  const data = document.body.dataset;
  const lang = detectLang(data.lang, navigator.language);
  setLang(lang, false);
  switch (data.page) {
    case "lessons":
      lessonsIndex(root, lang);
      return;
    case "lesson":
      void lessonPage(root, data.lesson || slugFromPath(), lang);
      return;
  }
  const room = data.room || roomFromPath() || "main";
  new App(root, room, lang).start();
}

/** roomFromPath reads /r/{room} when the shell did not say. */
function roomFromPath(): string {
  const m = /^\/r\/([^/]+)/.exec(location.pathname);
  return m && m[1] ? decodeURIComponent(m[1]) : "";
}

/** slugFromPath reads /lessons/{slug} when the shell did not say. */
function slugFromPath(): string {
  const m = /^\/lessons\/([^/?#]+)/.exec(location.pathname);
  return m && m[1] ? decodeURIComponent(m[1]) : "";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
