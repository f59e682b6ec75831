// xterm.js writes some of its CSS into <style> elements (scrollbar, and the DOM renderer's cell
// sizes and colours). The strict CSP (style-src 'self') blocks those, so their text is mirrored
// into constructed stylesheets, which the CSP does not govern, and kept in sync as xterm
// rewrites them.

/** Mirror every <style> under `root`; call `sync()` after xterm adds or drops renderers. */
export class CspStyleBridge {
  private sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  private observer = new MutationObserver(() => this.refresh());

  constructor(private readonly root: HTMLElement) {}

  sync(): void {
    for (const style of this.root.querySelectorAll("style")) {
      if (this.sheets.has(style)) continue;
      this.sheets.set(style, new CSSStyleSheet());
      this.observer.observe(style, { childList: true, characterData: true, subtree: true });
    }
    this.refresh();
  }

  private refresh(): void {
    for (const [style, sheet] of this.sheets) {
      if (!style.isConnected) {
        this.sheets.delete(style);
        continue;
      }
      sheet.replaceSync(style.textContent ?? "");
    }
    const own = new Set(this.sheets.values());
    const others = document.adoptedStyleSheets.filter((sheet) => !this.all.has(sheet));
    this.all = own;
    document.adoptedStyleSheets = [...others, ...own];
  }

  private all = new Set<CSSStyleSheet>();

  dispose(): void {
    this.observer.disconnect();
    this.sheets.clear();
    this.refresh();
  }
}
