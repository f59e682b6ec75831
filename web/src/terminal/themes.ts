// Terminal colours for the system's light and dark schemes (the page's own colours are in
// styles.css); the ANSI palette is xterm's default except where it is unreadable on light.
import type { ITheme } from "@xterm/xterm";

export const DARK: ITheme = {
  background: "#15171c",
  foreground: "#d8dde6",
  cursor: "#d8dde6",
  selectionBackground: "#3a4a66",
};
export const LIGHT: ITheme = {
  background: "#fbfbfc",
  foreground: "#1c2029",
  cursor: "#1c2029",
  cursorAccent: "#fbfbfc",
  selectionBackground: "#b8cdf0",
  black: "#1c2029",
  brightBlack: "#5c6370",
  white: "#a0a4ab",
  brightWhite: "#c8ccd2",
  yellow: "#8a6d00",
  brightYellow: "#9e7c00",
};
