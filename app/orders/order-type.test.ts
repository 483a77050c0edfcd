import { describe, expect, it } from "vitest";
import { orderTypeFor } from "./order-type";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

const settings = { ...DEFAULT_SHOP_SETTINGS, personalizedProducts: ["7001"] };
const plain = { cartProductId: "42", personalization: null };

describe("order type", () => {
  it("is In-app when a line is one of the shop's personalised products", () => {
    const lines = [plain, { cartProductId: "7001", personalization: null }];
    expect(orderTypeFor({ sourceChannel: "amazon", lineItems: lines }, settings)).toBe("in_app");
  });

  it("is In-app when a line carries a design, a preview or the customer's images", () => {
    for (const personalization of [
      { designUrl: "https://cdn.example/d.png" },
      { previewUrl: "https://cdn.example/p.png" },
      { clientImages: ["https://cdn.example/c.jpg"] },
    ]) {
      const lines = [{ cartProductId: "9", personalization }];
      expect(orderTypeFor({ sourceChannel: "web", lineItems: lines }, settings)).toBe("in_app");
    }
  });

  it("option values alone do not make an order In-app", () => {
    const lines = [
      { cartProductId: "9", personalization: { options: [{ name: "Gift wrap", value: "yes" }] } },
    ];
    expect(orderTypeFor({ sourceChannel: "web", lineItems: lines }, settings)).toBe("other");
  });

  it("follows the shop's source-channel rules, case-insensitively, first match wins", () => {
    expect(orderTypeFor({ sourceChannel: "Amazon MCF", lineItems: [plain] }, settings)).toBe(
      "amazon",
    );
    expect(orderTypeFor({ sourceChannel: "shineon-app", lineItems: [plain] }, settings)).toBe(
      "shineon",
    );
    const custom = {
      ...settings,
      typeRules: [{ sourceChannel: "etsy", type: "shineon" as const }],
    };
    expect(orderTypeFor({ sourceChannel: "etsy", lineItems: [plain] }, custom)).toBe("shineon");
    expect(orderTypeFor({ sourceChannel: "amazon", lineItems: [plain] }, custom)).toBe("other");
  });

  it("is Other without a channel or a matching rule", () => {
    expect(orderTypeFor({ sourceChannel: null, lineItems: [plain] }, settings)).toBe("other");
    expect(orderTypeFor({ sourceChannel: "web", lineItems: [] }, settings)).toBe("other");
  });
});
