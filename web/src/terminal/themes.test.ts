import { describe, expect, test } from "bun:test";
import { AA_NORMAL_TEXT, contrastRatio, luminance, parseColor } from "./contrast.ts";
import { ANSI_COLORS, DARK, LIGHT } from "./themes.ts";

describe("contrast", () => {
  test.each([
    ["#000000", "#ffffff", 21],
    ["#fff", "#fff", 1],
    ["rgb(118, 118, 118)", "#ffffff", 4.54],
  ])("%s on %s is %p:1", (a, b, ratio) => {
    expect(contrastRatio(a, b)).toBeCloseTo(ratio, 2);
  });

  test("reads hex and computed-style colours alike", () => {
    expect(parseColor("#1c7a43")).toEqual([28, 122, 67]);
    expect(parseColor("rgba(28, 122, 67, 0.5)")).toEqual([28, 122, 67]);
    expect(luminance("#ffffff")).toBe(1);
    expect(() => parseColor("green")).toThrow();
  });
});

describe.each([
  ["dark", DARK],
  ["light", LIGHT],
])("the %s terminal theme", (_, theme) => {
  test.each(["foreground", ...ANSI_COLORS] as const)("%s meets AA on the background", (name) => {
    expect(contrastRatio(theme[name], theme.background)).toBeGreaterThanOrEqual(AA_NORMAL_TEXT);
  });
});
