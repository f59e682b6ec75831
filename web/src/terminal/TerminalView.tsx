// The tiny component around TerminalController: one controller per session, created on mount
// and disposed on unmount. The host element carries the controller as `terminal` (read by the
// browser tests and by nothing else). The visible terminal has its scroll controls beside it.
import { useEffect, useRef, useState } from "preact/hooks";
import { ScrollControls } from "../components/ScrollControls.tsx";
import type { Scrollback } from "./scrollback.ts";
import { TerminalController, type TerminalOptions } from "./terminal-controller.ts";

export interface TerminalViewProps extends TerminalOptions {
  visible: boolean;
  /** Pixels of the terminal's bottom covered by the soft keyboard and the dock's panel. */
  keyboardInset: number;
  onController?: (controller: TerminalController | null) => void;
}

export function TerminalView(props: TerminalViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const controller = useRef<TerminalController | null>(null);
  const [scrollback, setScrollback] = useState<Scrollback | null>(null);
  // One controller per session and role; the other props are read once, at creation.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const terminal = new TerminalController({ ...props, hidden: !props.visible });
    controller.current = terminal;
    terminal.mount(element);
    Object.defineProperty(element, "terminal", { value: terminal, configurable: true });
    props.onController?.(terminal);
    setScrollback(terminal.scrollback);
    return () => {
      setScrollback(null);
      props.onController?.(null);
      terminal.dispose();
      controller.current = null;
    };
  }, [props.sessionId, props.readOnly]);

  useEffect(() => {
    controller.current?.setFontSize(props.fontSize);
  }, [props.fontSize]);

  useEffect(() => {
    controller.current?.setScreenReaderMode(props.screenReaderMode === true);
  }, [props.screenReaderMode]);

  useEffect(() => {
    controller.current?.setKeyboardInset(props.keyboardInset);
  }, [props.keyboardInset]);

  useEffect(() => {
    controller.current?.setVisible(props.visible);
    if (!props.visible) return;
    controller.current?.layout();
    // A tab chosen with the arrow keys keeps the focus (the tabs pattern); clicked, or chosen
    // by a shortcut, the terminal takes it.
    if (document.activeElement?.matches('[role="tab"]:focus-visible')) return;
    if (!props.readOnly && matchMedia("(pointer: fine)").matches) controller.current?.focus();
  }, [props.visible, props.readOnly]);

  return (
    <>
      <div
        class="terminal-host"
        data-session={props.sessionId}
        hidden={!props.visible}
        ref={host}
      />
      {props.visible && scrollback && (
        <ScrollControls scrollback={scrollback} covered={props.keyboardInset} />
      )}
    </>
  );
}
