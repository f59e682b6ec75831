// Entry point of the browser UI: styles, stores, the app, and the service worker (which caches
// only the app shell).
import "@xterm/xterm/css/xterm.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./App.tsx";
import { createStores, StoresContext } from "./stores.ts";

const root = document.getElementById("app");
if (root) {
  render(
    <StoresContext.Provider value={createStores()}>
      <App />
    </StoresContext.Provider>,
    root,
  );
}

if ("serviceWorker" in navigator && location.protocol !== "file:") {
  addEventListener("load", () => {
    void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  });
}
