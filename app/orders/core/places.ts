// Addresses and places as the owner reads them, whichever cart sent them and however it spelt the
// country ("GB", "United Kingdom", "UK") or the region ("OR", "Oregon"): full names everywhere, and
// an address laid out the way its own country writes it (decision 0030). Server-side: pages get
// the finished lines, so the formatting tables never reach the browser.
import * as formatterModule from "@fragaria/address-formatter";
import stateCodes from "@fragaria/address-formatter/src/templates/state-codes.json" with { type: "json" };
import * as countriesModule from "i18n-iso-countries";
import english from "i18n-iso-countries/langs/en.json" with { type: "json" };
import type { Address } from "./model";

// Both packages are CommonJS: Node's ESM loader hands them over as `default` only.
const withDefault = <T>(module: T): T => (module as T & { default?: T }).default ?? module;
const formatter = withDefault(formatterModule);
const countries = withDefault(countriesModule);
countries.registerLocale(english);

/** Country names in the owner's words: CLDR's, as Shopify's admin and browsers show them. */
const displayNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** Whether a two-letter code is an ISO 3166-1 country (the list our picker offers). */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && countries.isValid(code);
}

/** The country's ISO code from a code or a name in any common spelling; null when unknown. */
export function countryCodeOf(codeOrName: string | null | undefined): string | null {
  const text = codeOrName?.trim();
  if (!text) return null;
  const upper = text.toUpperCase();
  if (isCountryCode(upper)) return upper;
  const byName = countries.getAlpha2Code(text, "en");
  if (byName) return byName;
  // A name CLDR spells differently from the ISO list ("Côte d’Ivoire").
  return COUNTRY_OPTIONS.find((c) => c.name.toLowerCase() === text.toLowerCase())?.code ?? null;
}

function nameOfCode(code: string): string {
  return displayNames.of(code) ?? countries.getName(code, "en") ?? code;
}

/** Every country the picker offers, by name. */
export const COUNTRY_OPTIONS: readonly { code: string; name: string }[] = Object.keys(
  countries.getAlpha2Codes(),
)
  .map((code) => ({ code, name: nameOfCode(code) }))
  .sort((a, b) => a.name.localeCompare(b.name, "en"));

/** The country's full name, from its code or any spelling of its name; unknown text as given. */
export function countryName(codeOrName: string | null | undefined): string | null {
  const text = codeOrName?.trim();
  if (!text) return null;
  const code = countryCodeOf(text);
  return code ? nameOfCode(code) : text;
}

type StateEntry = { key: string; name: string | { default: string } };
const STATES = stateCodes as Record<string, StateEntry[] | undefined>;
const stateName = (entry: StateEntry) =>
  typeof entry.name === "string" ? entry.name : entry.name.default;

/** A region's full name ("OR" in the US is Oregon); text the tables do not know stays as given. */
export function regionName(
  countryCode: string | null,
  ...spellings: (string | null | undefined)[]
): string | null {
  const given = spellings.map((s) => s?.trim()).filter((s): s is string => Boolean(s));
  const table = countryCode ? STATES[countryCode] : undefined;
  for (const text of given) {
    const entry = table?.find(
      (e) => e.key === text.toUpperCase() || stateName(e).toLowerCase() === text.toLowerCase(),
    );
    if (entry) return stateName(entry);
  }
  // A name is kept over a code the tables do not know.
  return given.find((t) => t.length > 3) ?? given[0] ?? null;
}

/** "Portland, Oregon, United States": the catalog's place line, from names or codes alike. */
export function placeLine(
  city: string | null | undefined,
  province: string | null | undefined,
  country: string | null | undefined,
): string {
  const code = countryCodeOf(country);
  return [city?.trim(), regionName(code, province), countryName(country)]
    .filter((p): p is string => Boolean(p))
    .join(", ");
}

/** What the catalog's place columns hold: where the order ships, else where it is billed. */
export function customerPlace(shipping: Address | null, billing: Address | null) {
  const from = shipping ?? billing;
  const code = countryCodeOf(from?.countryCode) ?? countryCodeOf(from?.country);
  return {
    customerCity: from?.city?.trim() || null,
    customerProvince: from ? regionName(code, from.province, from.provinceCode) : null,
    customerCountry: code ? nameOfCode(code) : from?.country?.trim() || null,
  };
}

/** The address's country code and full name, however the cart wrote them. */
export function withCountryNamed(address: Address): Address {
  const code = countryCodeOf(address.countryCode) ?? countryCodeOf(address.country);
  return code ? { ...address, countryCode: code, country: nameOfCode(code) } : address;
}

/**
 * The address in lines, as its country writes it (a US city line is "Portland, OR 97205", a
 * German one "10115 Berlin"), with the name and company first, then the country's full name.
 */
export function addressLines(address: Address): string[] {
  const code = countryCodeOf(address.countryCode) ?? countryCodeOf(address.country);
  const region = regionName(code, address.province, address.provinceCode);
  // A region the country's table of states knows is a state; anything else (a British county)
  // is a county, which the country's convention may leave out.
  const isState = Boolean(code && region && STATES[code]?.some((e) => stateName(e) === region));
  const body = formatter.format(
    {
      road: address.address1,
      city: address.city,
      postcode: address.zip ?? undefined,
      ...(region ? (isState ? { state: region } : { county: region }) : {}),
      countryCode: code ?? undefined,
    },
    { output: "array", ...(code ? { countryCode: code } : {}) },
  );
  // The second street line follows the first, whatever the country's order of the rest.
  const street = body.indexOf(address.address1.trim());
  if (address.address2?.trim()) body.splice(street === -1 ? 1 : street + 1, 0, address.address2);
  const country = code ? nameOfCode(code) : address.country?.trim();
  return [address.name, address.company, ...body, country, address.phone]
    .map((line) => line?.trim())
    .filter((line): line is string => Boolean(line));
}
