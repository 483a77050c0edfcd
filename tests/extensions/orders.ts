// Orders as the backend answers them (extensions/shared/admin-api.ts), for the extension tests.
import type { AdminOrder } from "../../extensions/shared/admin-api";

export const ORDER_GID = "gid://shopify/Order/5551001";
export const ORDER_PATH = `/api/admin/orders/${encodeURIComponent(ORDER_GID)}`;
/** The server's clock in these orders: far from the browser's (see BROWSER_CLOCK). */
export const SERVER_NOW = "2026-12-07T10:00:00.000Z";

/** A new order counting down for 1 h 30 min, with a personalised mug and a plain card. */
export function runningOrder(overrides: Partial<AdminOrder> = {}): AdminOrder {
  return {
    id: "7b0c3a52-2d2b-4c1e-9a55-3e1f8f0b6a11",
    gid: ORDER_GID,
    number: "#1001",
    state: "new",
    stateLabel: "New",
    shopStatus: { label: "Awaiting artwork check", tone: "attention" },
    countdown: { kind: "running", deadline: "2026-12-07T11:30:00.000Z" },
    serverNow: SERVER_NOW,
    submit: {
      kind: "not_submitted",
      label: "Not submitted",
      tone: "neutral",
      reason: null,
      alert: null,
    },
    items: [
      {
        id: "item-mug",
        title: "Photo mug",
        quantity: 2,
        sku: "MUG-11",
        personalised: true,
        thumbnailUrl: "https://cdn.example.com/previews/mug-1001.png",
        options: [
          { name: "Name", value: "Ada" },
          { name: "Colour", value: "Navy" },
        ],
        providerName: "Printful",
      },
      {
        id: "item-card",
        title: "Gift card",
        quantity: 1,
        sku: null,
        personalised: false,
        thumbnailUrl: null,
        options: [],
        providerName: null,
      },
    ],
    purchaseOrders: [],
    otherTracking: [],
    actions: {
      submit: { allowed: true, reason: null, label: "Submit now" },
      hold: { allowed: true, reason: null, label: "Hold" },
      release: { allowed: false, reason: "The order is not on hold", label: "Release" },
    },
    openHref: "app:app/orders/7b0c3a52-2d2b-4c1e-9a55-3e1f8f0b6a11",
    openUrl: "https://orderlane.example.com/app/orders/7b0c3a52-2d2b-4c1e-9a55-3e1f8f0b6a11",
    ...overrides,
  };
}

/** The same order on hold with 45 min 30 s left on its clock. */
export function heldOrder(): AdminOrder {
  return runningOrder({
    state: "on_hold",
    stateLabel: "On hold",
    countdown: { kind: "paused", remainingMs: 45 * 60_000 + 30_000 },
    actions: {
      submit: {
        allowed: false,
        reason: "Release the order before submitting it",
        label: "Submit now",
      },
      hold: { allowed: false, reason: "The order is on hold already", label: "Hold" },
      release: { allowed: true, reason: null, label: "Release" },
    },
  });
}

/** Submitted to two providers; one shipped with tracking, the other refused an item at first. */
export function submittedOrder(): AdminOrder {
  return runningOrder({
    state: "open",
    stateLabel: "Open",
    shopStatus: null,
    countdown: {
      kind: "none",
      title: "Submitted",
      reason: "Sent to its providers on 7 Dec 2026, 10:02; waiting for them to ship.",
    },
    submit: {
      kind: "submitted",
      label: "Submitted to 2 providers",
      tone: "success",
      reason: null,
      alert: null,
    },
    purchaseOrders: [
      {
        id: "po-1",
        providerName: "Printful",
        poNumber: "OL-1001-1",
        statusLabel: "Shipped",
        tone: "success",
        lastError: null,
        submittedAt: "7 Dec 2026, 10:02",
        tracking: [
          {
            carrier: "UPS",
            number: "1Z999AA10123456784",
            url: "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            shippedAt: "8 Dec 2026, 14:15",
          },
        ],
      },
      {
        id: "po-2",
        providerName: "Gelato",
        poNumber: "OL-1001-2",
        statusLabel: "Sent",
        tone: "info",
        lastError: null,
        submittedAt: "7 Dec 2026, 10:02",
        tracking: [],
      },
    ],
    actions: {
      submit: { allowed: false, reason: "Submitted already", label: "Submit now" },
      hold: { allowed: false, reason: "Sent orders cannot be held", label: "Hold" },
      release: { allowed: false, reason: "The order is not on hold", label: "Release" },
    },
  });
}

/** Stopped: the provider refused it, with the alert's fix. */
export function failedOrder(): AdminOrder {
  return runningOrder({
    state: "error",
    stateLabel: "Error",
    countdown: { kind: "none", title: null, reason: "Stopped: fix the alert, then Reprocess" },
    submit: {
      kind: "failed",
      label: "Submission failed",
      tone: "critical",
      reason: "Printful refused the order: the print file is smaller than 1000 pixels wide.",
      alert: {
        code: "provider_rejected",
        message: "Printful refused the print file",
        fix: "Upload a larger design in Orderlane, then Reprocess.",
      },
    },
    actions: {
      submit: {
        allowed: false,
        reason: "Fix the alert first, then Reprocess",
        label: "Submit now",
      },
      hold: { allowed: true, reason: null, label: "Hold" },
      release: { allowed: false, reason: "The order is not on hold", label: "Release" },
    },
  });
}
