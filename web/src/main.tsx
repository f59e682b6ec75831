// Entry point of the browser UI: styles, stores, the app, and the service worker (which caches
// only the app shell, and shows push notifications).
import "@xterm/xterm/css/xterm.css";
import "diff2html/bundles/css/diff2html.min.css";
import "./styles.css";
// Each area's own rules, after the base so that they can refine it.
import "./styles/phone.css";
import "./styles/keyboard.css";
import "./styles/signin.css";
import "./styles/a11y.css";
import "./styles/admin.css";
import "./styles/uploads.css";
import "./styles/files.css";
import "./styles/worktree.css";
import "./styles/changes.css";
import "./styles/share.css";
import "./styles/replay.css";
import "./styles/search.css";
import { render } from "preact";
import { App } from "./App.tsx";
import { registerServiceWorker } from "./api/service-worker.ts";
import { createStores, StoresContext } from "./stores.ts";

const root = document.getElementById("app");
if (root) {
  const stores = createStores();
  render(
    <StoresContext.Provider value={stores}>
      <App />
    </StoresContext.Provider>,
    root,
  );
  // A share link's page is no installed app: it registers nothing.
  if (stores.router.route.value.page !== "share") {
    registerServiceWorker((path) => stores.router.navigate(path));
  }
}
