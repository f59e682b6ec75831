// Phones: the soft keyboard shrinks only the visual viewport, so the page (and the PTY) keep
// their size. This store tracks how much of the page's bottom the keyboard covers, publishes it
// as the CSS variable --keyboard-inset (the key bar rides above it) and as a signal (the
// terminal slides up just enough to keep its cursor line in sight).
import { signal } from "@preact/signals";

export function createKeyboardStore() {
  const inset = signal(0);
  const viewport = window.visualViewport;
  const update = () => {
    if (!viewport) return;
    const covered = Math.max(0, Math.round(innerHeight - viewport.height - viewport.offsetTop));
    inset.value = covered;
    document.documentElement.style.setProperty("--keyboard-inset", `${covered}px`);
  };
  viewport?.addEventListener("resize", update);
  viewport?.addEventListener("scroll", update);
  update();
  return {
    /** Pixels of the layout viewport's bottom hidden by the soft keyboard (0 when closed). */
    inset,
    dispose() {
      viewport?.removeEventListener("resize", update);
      viewport?.removeEventListener("scroll", update);
    },
  };
}

export type KeyboardStore = ReturnType<typeof createKeyboardStore>;
