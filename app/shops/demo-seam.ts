// Where the demo plugs into signing in. `npm run demo` serves a few shops without sign-in and lets
// the owner switch between them; production code must not know how. So the demo hands an
// implementation of this to the app context when the process boots in demo mode (server/boot.ts),
// and sign-in, API tokens and the app frame ask `AppContext.demo` when it is there. When it is
// null, owners sign in as in production. Decision 23.
import type { Owner } from "./owner";
import type { Shop } from "./shops.server";

/** A shop as the app frame's switcher lists it. */
export type SwitchableShop = Pick<Shop, "domain" | "name" | "platform">;

export interface DemoSeam {
  /**
   * The owner of a page request: one of the demo's shops, never any other. Throws the Response to
   * send when the request names a shop that is not the demo's, or the shop is not seeded yet.
   */
  owner(request: Request): Promise<Owner>;
  /** The shop the API's demo token acts for: the one `domain` names, or the default for null. */
  apiShop(domain: string | null): Promise<Shop | undefined>;
  /**
   * What the app frame's switcher offers (the demo's shops that exist, the default first), and the
   * Set-Cookie remembering a shop the request chose, or null.
   */
  shopSwitcher(
    request: Request,
    current: Shop,
  ): Promise<{ shops: SwitchableShop[]; setCookie: string | null }>;
  /**
   * Where a link into the cart (its order editor, a product's admin or storefront page) leads:
   * the demo's carts have no admin or storefront, so the demo answers with a page that has.
   */
  cartLink(link: string): string;
  /**
   * The SVG of a demo product's live preview with the words in `query` (the order's options), or
   * null for a product the demo does not draw.
   */
  previewImage(template: string, query: URLSearchParams): string | null;
  /** Where a parcel's tracking link leads; null keeps the carrier's own. */
  trackingLink(parcel: {
    trackingNumber: string;
    carrier: string | null;
    orderNumber: string;
  }): string | null;
}
