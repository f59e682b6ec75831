// Terminal colours for the system's light and dark schemes (the page's own colours are in
// styles.css). Every ANSI colour, used as text on the theme's background, meets WCAG AA
// (4.5:1, themes.test.ts): on light, "white" and the bright colours are darker than xterm's;
// on dark, "black" and "bright black" are greys and red, blue and magenta are lighter.
import type { ITheme } from "@xterm/xterm";

/** The terminals' font: the system's monospace, then common ones. */
export const TERMINAL_FONT =
  'ui-monospace, "SF Mono", "Cascadia Mono", "JetBrains Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

/** The sixteen ANSI colours, each named: what themes.test.ts checks against the background. */
export const ANSI_COLORS = [
  "black",
  "red",
  "green",
  "yellow",
  "blue",
  "magenta",
  "cyan",
  "white",
  "brightBlack",
  "brightRed",
  "brightGreen",
  "brightYellow",
  "brightBlue",
  "brightMagenta",
  "brightCyan",
  "brightWhite",
] as const;

export type TerminalTheme = ITheme &
  Record<(typeof ANSI_COLORS)[number], string> & {
    background: string;
    foreground: string;
  };

export const DARK: TerminalTheme = {
  background: "#15171c",
  foreground: "#d8dde6",
  cursor: "#d8dde6",
  selectionBackground: "#3a4a66",
  black: "#76868b",
  red: "#ff3838",
  green: "#4e9a06",
  yellow: "#c4a000",
  blue: "#578aca",
  magenta: "#a27aa8",
  cyan: "#06989a",
  white: "#d3d7cf",
  brightBlack: "#91948e",
  brightRed: "#f46969",
  brightGreen: "#8ae234",
  brightYellow: "#fce94f",
  brightBlue: "#729fcf",
  brightMagenta: "#ad7fa8",
  brightCyan: "#34e2e2",
  brightWhite: "#eeeeec",
};

export const LIGHT: TerminalTheme = {
  background: "#fbfbfc",
  foreground: "#1c2029",
  cursor: "#1c2029",
  cursorAccent: "#fbfbfc",
  selectionBackground: "#b8cdf0",
  black: "#1c2029",
  red: "#cc0000",
  green: "#3a7204",
  yellow: "#7d6200",
  blue: "#3465a4",
  magenta: "#75507b",
  cyan: "#047173",
  white: "#696d76",
  brightBlack: "#5c6370",
  brightRed: "#e11111",
  brightGreen: "#487f12",
  brightYellow: "#876f00",
  brightBlue: "#3c74b0",
  brightMagenta: "#955f8f",
  brightCyan: "#127e7e",
  brightWhite: "#697280",
};
