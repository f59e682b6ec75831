// A menu that opens from its summary (a <details>): it closes on Esc, on a tap or click
// elsewhere, when `closeOn` changes (the page), and, with `closeOnChoice`, once something inside
// it was chosen.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export interface DisclosureProps {
  class: string;
  summary: ComponentChildren;
  /** Attributes of the summary (its aria-label, title, aria-current). */
  summaryProps?: Record<string, string | undefined>;
  listClass: string;
  closeOn?: unknown;
  closeOnChoice?: boolean;
  children: ComponentChildren;
}

export function Disclosure(props: DisclosureProps) {
  const details = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (details.current) details.current.open = false;
  }, [props.closeOn]);
  const closeOnChoice = props.closeOnChoice === true;
  useEffect(() => {
    const close = (event: Event) => {
      const element = details.current;
      if (!element?.open) return;
      const target = event.target as Element;
      const away =
        event instanceof KeyboardEvent
          ? event.key === "Escape"
          : event.type === "click"
            ? closeOnChoice &&
              element.contains(target) &&
              target.closest("summary") === null &&
              target.closest("a, button") !== null
            : !element.contains(target);
      if (away) element.open = false;
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    document.addEventListener("click", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
      document.removeEventListener("click", close);
    };
  }, [closeOnChoice]);
  return (
    <details class={props.class} ref={details}>
      <summary {...props.summaryProps}>{props.summary}</summary>
      <div class={props.listClass}>{props.children}</div>
    </details>
  );
}
