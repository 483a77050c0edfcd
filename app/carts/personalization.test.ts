import { describe, expect, it } from "vitest";
import { readPersonalization } from "./personalization";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

const keys = DEFAULT_SHOP_SETTINGS.personalizationKeys;

describe("readPersonalization", () => {
  it("reads the preview, the final design, every client image and the visible options", () => {
    const read = readPersonalization(
      [
        { key: "_preview", value: "https://cdn.example/preview.png" },
        { key: "_Final_Design", value: "https://cdn.example/design.pdf" },
        { key: "_upload", value: "https://cdn.example/a.jpg, https://cdn.example/b.jpg" },
        { key: "Engraving", value: "For Ana" },
        { key: "Font", value: "Serif" },
        { key: "_internal", value: "hidden" },
      ],
      keys,
    );
    expect(read).toEqual({
      previewUrl: "https://cdn.example/preview.png",
      designUrl: "https://cdn.example/design.pdf",
      clientImages: ["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"],
      options: [
        { name: "Engraving", value: "For Ana" },
        { name: "Font", value: "Serif" },
      ],
    });
  });

  it("is null for a line with no personalisation, and ignores values that are not URLs", () => {
    expect(readPersonalization([], keys)).toBeNull();
    expect(readPersonalization([{ key: "_preview", value: "not a url" }], keys)).toBeNull();
  });

  it("uses the shop's own keys", () => {
    const read = readPersonalization([{ key: "mockup", value: "https://x.example/m.png" }], {
      preview: ["mockup"],
      design: [],
      clientImages: [],
    });
    expect(read?.previewUrl).toBe("https://x.example/m.png");
    expect(read?.options).toEqual([]);
  });

  it("keeps every value of a name that repeats, in the cart's order", () => {
    const read = readPersonalization(
      [
        { key: "Initials", value: "A" },
        { key: "Initials", value: "B" },
        { key: "Colour", value: "Gold" },
        { key: "Initials", value: "C" },
      ],
      keys,
    );
    expect(read?.options).toEqual([
      { name: "Initials", value: "A" },
      { name: "Initials", value: "B" },
      { name: "Colour", value: "Gold" },
      { name: "Initials", value: "C" },
    ]);
  });
});
