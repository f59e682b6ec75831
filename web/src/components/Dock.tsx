// The dock under the terminal on touch screens: the key bar, and above it, floating over the
// terminal's bottom, one of the composer, the find bar or the key bar's further keys ("More").
// It reports how many pixels that panel covers, so the terminal keeps its cursor row in sight
// (TerminalController.setKeyboardInset) without changing its size (nor the PTY's).
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { useStores } from "../stores.ts";
import type { TerminalController } from "../terminal/terminal-controller.ts";
import { Composer } from "./Composer.tsx";
import { FindBar } from "./FindBar.tsx";
import { KeyBar } from "./KeyBar.tsx";

type Panel = "composer" | "find" | "more" | null;

export interface DockProps {
  terminal: TerminalController;
  onFontSize: (delta: number) => void;
  onFiles: () => void;
  onChanges: () => void;
  /** The open panel's height in pixels (0 when none is open). */
  onCover: (px: number) => void;
}

export function Dock({ terminal, onFontSize, onFiles, onChanges, onCover }: DockProps) {
  const { drafts } = useStores();
  const panel = useSignal<Panel>(null);
  const dock = useRef<HTMLDivElement>(null);
  // Keys typed while the stream was down and never sent: the composer shows them to the user.
  const rescued = drafts.get(terminal.sessionId).rescued;
  useEffect(() => {
    if (rescued) panel.value = "composer";
  }, [rescued, terminal]);
  useEffect(() => {
    const element = dock.current?.querySelector<HTMLElement>(".dock-panel, .key-extras[data-open]");
    if (!element) return;
    const observer = new ResizeObserver(() => onCover(element.offsetHeight));
    observer.observe(element);
    return () => {
      observer.disconnect();
      onCover(0);
    };
  }, [panel.value]);
  const toggle = (name: Panel) => () => {
    panel.value = panel.value === name ? null : name;
  };
  const close = () => {
    panel.value = null;
  };
  return (
    <div class="dock" ref={dock}>
      {(panel.value === "composer" || panel.value === "find") && (
        <div class="dock-panel">
          {panel.value === "composer" ? (
            <Composer terminal={terminal} onClose={close} />
          ) : (
            <FindBar terminal={terminal} onClose={close} />
          )}
        </div>
      )}
      <KeyBar
        terminal={terminal}
        onFontSize={onFontSize}
        onComposer={toggle("composer")}
        onFind={toggle("find")}
        onFiles={onFiles}
        onChanges={onChanges}
        more={panel.value === "more"}
        onMore={toggle("more")}
      />
    </div>
  );
}
