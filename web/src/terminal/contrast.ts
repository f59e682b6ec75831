// WCAG 2.x contrast: relative luminance of sRGB colours and the ratio of two of them. Reads
// "#rgb", "#rrggbb" and the "rgb(r, g, b)" strings getComputedStyle returns; alpha is ignored.

/** WCAG AA for normal-size text (and for the terminal, whose text is never "large"). */
export const AA_NORMAL_TEXT = 4.5;

/** The red, green and blue channels (0–255) of a CSS colour; throws on a form it does not read. */
export function parseColor(css: string): [number, number, number] {
  const value = css.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value)?.[1];
  if (hex) {
    const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
    return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as [
      number,
      number,
      number,
    ];
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(value);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  throw new Error(`not a colour this reads: ${css}`);
}

/** Relative luminance, 0 (black) to 1 (white). */
export function luminance(css: string): number {
  const [r, g, b] = parseColor(css).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 to 21, whichever is lighter. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
