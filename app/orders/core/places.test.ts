import { describe, expect, it } from "vitest";
import type { Address } from "./model";
import {
  COUNTRY_OPTIONS,
  addressLines,
  countryName,
  customerPlace,
  isCountryCode,
  placeLine,
  withCountryNamed,
} from "./places";

const base: Address = {
  name: "Mia Okafor",
  company: null,
  address1: "401 Pine St",
  address2: "Apt 3",
  city: "Portland",
  province: "Oregon",
  provinceCode: "OR",
  zip: "97205",
  country: "United States",
  countryCode: "US",
  phone: null,
};

describe("addresses as their country writes them", () => {
  it("a US address puts the state and ZIP after the city", () => {
    expect(addressLines(base)).toEqual([
      "Mia Okafor",
      "401 Pine St",
      "Apt 3",
      "Portland, OR 97205",
      "United States",
    ]);
  });

  it("a UK address has the post town and postcode on their own lines", () => {
    const leeds: Address = {
      ...base,
      address1: "1 Kirkgate",
      address2: null,
      city: "Leeds",
      province: "West Yorkshire",
      provinceCode: null,
      zip: "LS1 6BY",
      country: "GB",
      countryCode: "GB",
    };
    expect(addressLines(leeds)).toEqual([
      "Mia Okafor",
      "1 Kirkgate",
      "Leeds",
      "LS1 6BY",
      "United Kingdom",
    ]);
  });

  it("a German address puts the postcode before the city", () => {
    const berlin: Address = {
      ...base,
      address1: "Hauptstr. 5",
      address2: null,
      city: "Berlin",
      province: null,
      provinceCode: null,
      zip: "10115",
      country: "Germany",
      countryCode: "DE",
    };
    expect(addressLines(berlin)).toEqual(["Mia Okafor", "Hauptstr. 5", "10115 Berlin", "Germany"]);
  });
});

describe("places and countries by their full names", () => {
  it("reads the same place the same way whether the cart sent codes or names", () => {
    expect(placeLine("Portland", "Oregon", "United States")).toBe(
      "Portland, Oregon, United States",
    );
    expect(placeLine("Portland", "OR", "US")).toBe("Portland, Oregon, United States");
    expect(placeLine("Leeds", "West Yorkshire", "GB")).toBe(
      "Leeds, West Yorkshire, United Kingdom",
    );
    expect(placeLine("Toronto", "ON", "CA")).toBe("Toronto, Ontario, Canada");
    expect(placeLine("Somewhere", null, "Atlantis")).toBe("Somewhere, Atlantis");
  });

  it("stores the place in full names from a WooCommerce address of codes", () => {
    const woo = { ...base, province: null, provinceCode: "WA", city: "Seattle", country: "US" };
    expect(customerPlace(woo, null)).toEqual({
      customerCity: "Seattle",
      customerProvince: "Washington",
      customerCountry: "United States",
    });
  });

  it("names countries from codes and common spellings, and knows which codes exist", () => {
    expect(countryName("GB")).toBe("United Kingdom");
    expect(countryName("UK")).toBe("United Kingdom");
    expect(countryName("United Kingdom")).toBe("United Kingdom");
    expect(withCountryNamed({ ...base, country: "GB", countryCode: "gb" })).toMatchObject({
      country: "United Kingdom",
      countryCode: "GB",
    });
    expect(isCountryCode("GB")).toBe(true);
    expect(isCountryCode("XX")).toBe(false);
    expect(COUNTRY_OPTIONS.length).toBeGreaterThan(240);
    expect(COUNTRY_OPTIONS.find((c) => c.code === "US")?.name).toBe("United States");
  });
});

describe("another convention", () => {
  it("a Canadian address writes the province code and postal code after the city", () => {
    const toronto: Address = {
      ...base,
      address1: "200 Bay St",
      address2: null,
      city: "Toronto",
      province: "Ontario",
      provinceCode: "ON",
      zip: "M5J 2J2",
      country: "Canada",
      countryCode: "CA",
    };
    expect(addressLines(toronto)).toEqual([
      "Mia Okafor",
      "200 Bay St",
      "Toronto, ON M5J 2J2",
      "Canada",
    ]);
  });
});
