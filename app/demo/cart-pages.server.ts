// The cart simulator's own pages: what an owner sees when a link on the order page leads into a
// demo cart (Edit Order, Define Design, View product on the store) or to a parcel's tracking.
// Plain server-rendered HTML in the owner's words; a real cart shows far more, but every link the
// app offers in the demo now opens a page that shows the order, the product or the parcel it names.

export interface PageOrderLine {
  title: string;
  variant: string | null;
  sku: string | null;
  quantity: number;
  price: string;
  options: [string, string][];
  productLink: string | null;
}

export interface PageOrder {
  /** The cart, as the heading names it ("Shopify admin (simulated)"). */
  cart: string;
  number: string;
  status: string;
  customer: string;
  email: string | null;
  shipTo: string[];
  placedAt: Date;
  total: string;
  lines: PageOrderLine[];
  parcels: { carrier: string | null; number: string; link: string }[];
  notes: string[];
}

export interface PageProduct {
  cart: string;
  title: string;
  image: string | null;
  price: string | null;
  variants: string[];
  personalised: boolean;
  /** Admin pages explain where the design is defined; the storefront page does not. */
  admin: boolean;
}

export interface PageParcel {
  number: string;
  carrier: string | null;
  /** Orders this parcel belongs to, as the carts know them. */
  orders: { cart: string; number: string; link: string | null }[];
}

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const DATE = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

function layout(title: string, cart: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(cart)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1f2328; }
  header { background: #1f2a37; color: #fff; padding: 12px 24px; font-weight: 600; }
  header small { font-weight: 400; opacity: .75; margin-left: 8px; }
  main { max-width: 860px; margin: 24px auto; padding: 0 16px; }
  section { background: #fff; border-radius: 10px; padding: 16px 20px; margin-bottom: 16px;
            box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
  .badge { display: inline-block; background: #e6f0ff; color: #0b4fbd; border-radius: 12px;
           padding: 1px 10px; font-size: 13px; }
  .muted { color: #636c76; } table { width: 100%; border-collapse: collapse; }
  td, th { text-align: left; padding: 6px 4px; border-top: 1px solid #eaecef; vertical-align: top; }
  img.product { max-width: 260px; border-radius: 8px; background: #f6f3ec; }
  .note { border-left: 3px solid #d0d7de; padding-left: 8px; margin: 6px 0; }
</style>
</head>
<body>
<header>${escapeHtml(cart)}<small>a page of the demo's cart simulator</small></header>
<main>${body}</main>
</body>
</html>`;
}

export function orderPage(order: PageOrder): string {
  const lines = order.lines
    .map((line) => {
      const options = line.options
        .map(([k, v]) => `<div class="muted">${escapeHtml(k)}: ${escapeHtml(v)}</div>`)
        .join("");
      const title = line.productLink
        ? `<a href="${escapeHtml(line.productLink)}">${escapeHtml(line.title)}</a>`
        : escapeHtml(line.title);
      return `<tr><td>${title}${line.variant ? ` <span class="muted">· ${escapeHtml(line.variant)}</span>` : ""}
        ${line.sku ? `<div class="muted">SKU ${escapeHtml(line.sku)}</div>` : ""}${options}</td>
        <td>${line.quantity} × ${escapeHtml(line.price)}</td></tr>`;
    })
    .join("");
  const parcels =
    order.parcels.length === 0
      ? `<p class="muted">Nothing has shipped yet.</p>`
      : order.parcels
          .map(
            (p) =>
              `<p>${escapeHtml(p.carrier ?? "Parcel")} <a href="${escapeHtml(p.link)}">${escapeHtml(p.number)}</a></p>`,
          )
          .join("");
  const notes = order.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("");
  return layout(
    `Order ${order.number}`,
    order.cart,
    `<section><h1>Order ${escapeHtml(order.number)} <span class="badge">${escapeHtml(order.status)}</span></h1>
      <p class="muted">Placed ${escapeHtml(DATE.format(order.placedAt))} UTC · total ${escapeHtml(order.total)}</p></section>
    <section><h2>Items</h2><table>${lines}</table></section>
    <section><h2>Customer</h2><p>${escapeHtml(order.customer)}${order.email ? `<br><span class="muted">${escapeHtml(order.email)}</span>` : ""}</p>
      <p>${order.shipTo.map(escapeHtml).join("<br>")}</p></section>
    <section><h2>Shipping</h2>${parcels}</section>
    ${notes ? `<section><h2>Order notes</h2>${notes}</section>` : ""}`,
  );
}

export function productPage(product: PageProduct): string {
  const design = product.admin
    ? product.personalised
      ? `<section><h2>Design</h2><p>Customers personalise this product when they order it. The
         live preview and the final design file are made from the options they choose.</p></section>`
      : `<section><h2>Design</h2><p class="muted">This product is sold as it is, without
         personalisation.</p></section>`
    : "";
  return layout(
    product.title,
    product.cart,
    `<section><h1>${escapeHtml(product.title)}</h1>
      ${product.price ? `<p>${escapeHtml(product.price)}</p>` : ""}
      ${product.image ? `<img class="product" src="${escapeHtml(product.image)}" alt="${escapeHtml(product.title)}">` : ""}
      ${product.variants.length > 0 ? `<p class="muted">Available as: ${product.variants.map(escapeHtml).join(", ")}</p>` : ""}
    </section>${design}`,
  );
}

export function trackingPage(parcel: PageParcel): string {
  const orders =
    parcel.orders.length === 0
      ? `<p class="muted">No demo cart has an order with this parcel yet.</p>`
      : parcel.orders
          .map(
            (o) =>
              `<p>Order ${o.link ? `<a href="${escapeHtml(o.link)}">${escapeHtml(o.number)}</a>` : escapeHtml(o.number)} <span class="muted">· ${escapeHtml(o.cart)}</span></p>`,
          )
          .join("");
  return layout(
    `Parcel ${parcel.number}`,
    "Parcel tracking (simulated)",
    `<section><h1>Parcel ${escapeHtml(parcel.number)}</h1>
      <p>${escapeHtml(parcel.carrier ?? "Carrier")} · <span class="badge">On its way</span></p>
      <p class="muted">A made-up parcel: no carrier is asked. It would show the parcel's journey here.</p></section>
    <section><h2>Orders</h2>${orders}</section>`,
  );
}

export function notFoundPage(what: string): string {
  return layout("Not found", "Demo cart", `<section><h1>${escapeHtml(what)}</h1></section>`);
}
