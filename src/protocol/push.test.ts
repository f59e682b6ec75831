import { describe, expect, test } from "bun:test";
import { inQuietHours } from "./push.ts";

test.each([
  ["22:00", "07:00", "2026-03-02T23:30:00Z", true],
  ["22:00", "07:00", "2026-03-02T06:59:00Z", true],
  ["22:00", "07:00", "2026-03-02T07:00:00Z", false],
  ["22:00", "07:00", "2026-03-02T12:00:00Z", false],
  ["09:00", "17:00", "2026-03-02T09:00:00Z", true],
  ["09:00", "17:00", "2026-03-02T17:00:00Z", false],
  ["09:00", "09:00", "2026-03-02T09:00:00Z", false],
])("quiet %s–%s (UTC) at %s: %p", (start, end, at, quiet) => {
  expect(inQuietHours({ start, end, timeZone: "UTC" }, new Date(at))).toBe(quiet);
});

test("quiet hours are read in their own time zone", () => {
  // 23:30 UTC is 08:30 the next morning in Tokyo.
  const at = new Date("2026-03-02T23:30:00Z");
  expect(inQuietHours({ start: "22:00", end: "07:00", timeZone: "Asia/Tokyo" }, at)).toBe(false);
  expect(inQuietHours({ start: "08:00", end: "09:00", timeZone: "Asia/Tokyo" }, at)).toBe(true);
});

test("an unknown time zone keeps no quiet hours", () => {
  const quiet = { start: "00:00", end: "23:59", timeZone: "Nowhere/Atlantis" };
  expect(inQuietHours(quiet, new Date())).toBe(false);
});

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
