// Entry point of the browser UI: styles, stores, the app, and the service worker (which caches
// only the app shell, and shows push notifications).
import "@xterm/xterm/css/xterm.css";
import "./styles.css";
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
  registerServiceWorker((path) => stores.router.navigate(path));
}
