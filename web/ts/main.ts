// Entry point: read the room and language from the page shell and start the app.

import { App } from "./app";
import { detectLang, setLang } from "./i18n";

function boot(): void {
  const root = document.getElementById("app");
  if (!root) return;
  const room = document.body.dataset.room || roomFromPath() || "main";
  const lang = detectLang(document.body.dataset.lang, navigator.language);
  setLang(lang, false);
  new App(root, room, lang).start();
}

/** roomFromPath reads /r/{room} when the shell did not say. */
function roomFromPath(): string {
  const m = /^\/r\/([^/]+)/.exec(location.pathname);
  return m && m[1] ? decodeURIComponent(m[1]) : "";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
