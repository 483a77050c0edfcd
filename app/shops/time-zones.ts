// The time zones an owner can choose: the IANA zones this runtime knows, and UTC (which
// `Intl.supportedValuesOf` leaves out). Shared by the Settings page's searchable list and the
// check on save, so the list offers nothing the save refuses. Pure: runs in the browser too.

let cached: readonly string[] | null = null;

/** Every zone offered, UTC first, then the rest alphabetically. */
export function timeZoneNames(): readonly string[] {
  cached ??= [
    "UTC",
    ...Intl.supportedValuesOf("timeZone")
      .filter((z) => z !== "UTC")
      .sort(),
  ];
  return cached;
}

/** Zones the list leaves out but a cart may report: fixed offsets (Etc/GMT-2 is UTC+2). */
const FIXED_OFFSET = /^Etc\/GMT[+-](?:[0-9]|1[0-4])$/;

/**
 * The zone to store for what was typed or reported, or null for a zone that is not known. An
 * alias ("Asia/Kolkata", "US/Eastern") is accepted when it leads to a listed zone; the name given
 * is kept, with its letters' case as the list writes it.
 */
export function knownTimeZone(input: string): string | null {
  const zone = input.trim();
  if (!zone || zone.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return null;
  const names = timeZoneNames();
  const listed = names.find((name) => name.toLowerCase() === zone.toLowerCase());
  if (listed) return listed;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (FIXED_OFFSET.test(resolved)) return resolved;
  if (resolved === "UTC" || resolved === "Etc/UTC") return "UTC";
  if (!names.includes(resolved)) return null;
  // An alias written as zones are written keeps its name (the cart's, or the owner's); one typed
  // in other letters' case is stored under the name it leads to.
  const wellWritten = zone.split("/").every((part) => /^[A-Z0-9]/.test(part));
  return wellWritten ? zone : resolved;
}
