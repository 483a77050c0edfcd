// Inside the Shopify admin, App Bridge shows toasts in the admin's own style; standalone there is
// no App Bridge, and the page shows the message in a banner instead (see OrderPage).
interface AppBridgeGlobal {
  toast?: { show(message: string, options?: { isError?: boolean; duration?: number }): void };
}

export function appBridgeToast(message: string, isError = false): boolean {
  const bridge = (globalThis as { shopify?: AppBridgeGlobal }).shopify;
  if (!bridge?.toast) return false;
  bridge.toast.show(message, { isError });
  return true;
}

/** Where a link into the cart's admin opens: the admin's top frame when embedded, else a new tab. */
export function cartAdminTarget(embedded: boolean): "_top" | "_blank" {
  return embedded ? "_top" : "_blank";
}
