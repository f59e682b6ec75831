import { describe, expect, test } from "bun:test";
import { inQuietHours } from "./notifier.ts";

describe("inQuietHours", () => {
  const at = (iso: string) => new Date(iso);
  const night = { start: "22:00", end: "07:00", timeZone: "Europe/Paris" };

  test.each([
    ["2026-12-06T21:30:00Z", true], // 22:30 in Paris
    ["2026-12-07T05:59:00Z", true], // 06:59
    ["2026-12-07T06:00:00Z", false], // 07:00: over
    ["2026-12-06T12:00:00Z", false],
  ])("overnight hours in another zone: %s → %p", (iso, quiet) => {
    expect(inQuietHours(night, at(iso))).toBe(quiet);
  });

  test("daytime hours, none, equal ends and an unknown zone", () => {
    const lunch = { start: "12:00", end: "13:00", timeZone: "UTC" };
    expect(inQuietHours(lunch, at("2026-12-06T12:30:00Z"))).toBe(true);
    expect(inQuietHours(lunch, at("2026-12-06T13:00:00Z"))).toBe(false);
    expect(inQuietHours(null, at("2026-12-06T12:30:00Z"))).toBe(false);
    expect(inQuietHours({ ...lunch, end: "12:00" }, at("2026-12-06T12:00:00Z"))).toBe(false);
    expect(inQuietHours({ ...lunch, timeZone: "Nowhere/Else" }, at("2026-12-06T12:30:00Z"))).toBe(
      false,
    );
  });
});
