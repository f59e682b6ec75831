// Phones: the soft keyboard shrinks only the visual viewport, so the page (and the PTY) keep
// their size. This publishes how much of the bottom the keyboard covers as --keyboard-inset, so
// the key bar and composer can ride above it.

/** Start tracking; returns the function that stops it. */
export function trackKeyboardInset(): () => void {
  const viewport = window.visualViewport;
  if (!viewport) return () => undefined;
  const update = () => {
    const covered = Math.max(0, window.innerHeight - viewport.height - viewport.offsetTop);
    document.documentElement.style.setProperty("--keyboard-inset", `${Math.round(covered)}px`);
  };
  viewport.addEventListener("resize", update);
  viewport.addEventListener("scroll", update);
  update();
  return () => {
    viewport.removeEventListener("resize", update);
    viewport.removeEventListener("scroll", update);
  };
}
