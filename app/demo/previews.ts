// The demo's "live previews": the picture a personaliser draws of the product with the customer's
// own words on it. Real carts store such a picture per order; the demo draws it from the order's
// options instead, so the preview on the order page always says what its options say (a fixed file
// per product once showed "Ava" on an order for Poppy). Served at /demo/preview/<product>.svg only in
// demo mode (routes/demo.preview.$file.ts); every text is cut to a short length and escaped for XML,
// and only the products below are drawn. Pure: the seed builds the addresses, the route the images.

export const PREVIEW_TEMPLATES = ["tee", "hoodie", "mug", "necklace", "poster", "case"] as const;
export type PreviewTemplate = (typeof PREVIEW_TEMPLATES)[number];

/** The words each product's preview carries, by query parameter. */
export interface PreviewFields {
  name?: string;
  initial?: string;
  text?: string;
  title?: string;
  place?: string;
  date?: string;
  font?: string;
  colour?: string;
}

const FIELD_NAMES = [
  "name",
  "initial",
  "text",
  "title",
  "place",
  "date",
  "font",
  "colour",
] as const;

/** A personalisation line longer than this is not what a personaliser accepts; the rest is cut. */
export const MAX_PREVIEW_TEXT = 40;

export function isPreviewTemplate(value: string): value is PreviewTemplate {
  return (PREVIEW_TEMPLATES as readonly string[]).includes(value);
}

/** The app's own address of a product's preview with these words on it. */
export function demoPreviewUrl(template: PreviewTemplate, fields: PreviewFields): string {
  const query = new URLSearchParams();
  for (const key of FIELD_NAMES) {
    const value = fields[key];
    if (value) query.set(key, value);
  }
  const search = query.toString();
  return `/demo/preview/${template}.svg${search ? `?${search}` : ""}`;
}

/** Text safe inside an SVG element or attribute: short, no control characters, XML-escaped. */
function clean(value: string | null | undefined): string {
  // Control characters (C0, DEL, C1) are not allowed in XML 1.0 text; they become spaces.
  const chars = Array.from(
    Array.from(value ?? "")
      .map((c) => (/\p{Cc}/u.test(c) ? " " : c))
      .join("")
      .trim(),
  );
  const cut =
    chars.length > MAX_PREVIEW_TEXT
      ? `${chars.slice(0, MAX_PREVIEW_TEXT - 1).join("")}…`
      : chars.join("");
  return cut
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A font size that keeps `text` within `width` pixels, never above `max`. */
function fitted(text: string, width: number, max: number): number {
  const length = Math.max(1, Array.from(text).length);
  return Math.max(10, Math.min(max, Math.floor(width / (0.56 * length))));
}

const INK: Readonly<Record<string, string>> = {
  white: "#f7f5ef",
  gold: "#e3b95a",
  blush: "#f2b8b5",
  sage: "#b5c9a8",
  silver: "#8f959e",
  "rose gold": "#e2a48f",
};
const inkOf = (colour: string | undefined, fallback: string) =>
  INK[(colour ?? "").trim().toLowerCase()] ?? fallback;

/** The font a customer's choice reads as: script and serif faces in italic, the rest upright. */
function fontOf(choice: string | undefined): { family: string; style: string; weight: string } {
  const wanted = (choice ?? "").toLowerCase();
  if (wanted.includes("sans")) return { family: "sans-serif", style: "normal", weight: "bold" };
  if (wanted.includes("varsity")) return { family: "serif", style: "normal", weight: "bold" };
  return { family: "serif", style: "italic", weight: "normal" };
}

const BADGE =
  '<rect x="12" y="12" width="96" height="22" rx="11" fill="#fff" opacity="0.85"/>' +
  '<text x="60" y="27" font-family="sans-serif" font-size="11" text-anchor="middle" fill="#555">Live preview</text>';

const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">${body}${BADGE}</svg>\n`;

const DRAW: Record<PreviewTemplate, (f: PreviewFields) => string> = {
  tee(f) {
    const name = clean(f.name);
    const font = fontOf(f.font);
    return svg(
      '<rect width="400" height="400" fill="#f1ede4"/>' +
        '<ellipse cx="200" cy="352" rx="120" ry="10" fill="#000" opacity="0.12"/>' +
        '<path d="M145 62 L104 78 L52 126 L84 178 L116 160 L116 342 Q200 354 284 342 L284 160 L316 178 L348 126 L296 78 L255 62 Q200 104 145 62 Z" fill="#1f1f23"/>' +
        '<path d="M145 62 Q200 104 255 62 Q200 88 145 62 Z" fill="#3a3a40"/>' +
        `<text x="200" y="210" text-anchor="middle" font-family="${font.family}" font-style="${font.style}" font-weight="${font.weight}" font-size="${fitted(name, 160, 56)}" fill="${inkOf(f.colour, "#e3b95a")}">${name}</text>`,
    );
  },
  hoodie(f) {
    const initial = clean(f.initial);
    return svg(
      '<rect width="400" height="400" fill="#e6ebf0"/>' +
        '<path d="M138 92 L98 108 L58 250 L60 276 L92 280 L120 178 L120 346 Q200 358 280 346 L280 178 L308 280 L340 276 L342 250 L302 108 L262 92 Z" fill="#24314f"/>' +
        '<path d="M164 100 Q164 64 200 62 Q236 64 236 100 Q220 114 200 114 Q180 114 164 100 Z" fill="#121a2c"/>' +
        '<circle cx="246" cy="168" r="21" fill="none" stroke="#d6b25e" stroke-width="1.5" stroke-dasharray="2 2"/>' +
        `<text x="246" y="177" text-anchor="middle" font-family="serif" font-weight="bold" font-size="${fitted(initial, 34, 28)}" fill="${inkOf(f.colour, "#e3c172")}">${initial}</text>`,
    );
  },
  mug(f) {
    const text = clean(f.text);
    return svg(
      '<rect width="400" height="400" fill="#efeadf"/>' +
        '<ellipse cx="192" cy="318" rx="112" ry="14" fill="#000" opacity="0.13"/>' +
        '<path d="M274 150 Q338 150 336 212 Q334 270 268 272" fill="none" stroke="#e4e4e0" stroke-width="18"/>' +
        '<path d="M96 110 L96 290 Q96 316 122 316 L262 316 Q288 316 288 290 L288 110 Z" fill="#fbfbf8" stroke="#d0d0cb"/>' +
        '<rect x="124" y="146" width="136" height="92" rx="6" fill="#f3cfa6"/>' +
        '<path d="M124 214 L160 178 L186 202 L212 172 L260 216 L260 238 L124 238 Z" fill="#4f6b5a"/>' +
        `<text x="192" y="272" text-anchor="middle" font-family="serif" font-style="italic" font-size="${fitted(text, 180, 19)}" fill="#3b3530">${text}</text>`,
    );
  },
  necklace(f) {
    const name = clean(f.name);
    const font = fontOf(f.font);
    const metal = inkOf(f.colour, "#d4a646");
    const caption = clean([f.font, f.colour].filter(Boolean).join(" · ").toUpperCase());
    return svg(
      '<rect width="400" height="400" fill="#f6ebe4"/>' +
        `<path d="M40 20 Q52 214 102 238 M360 20 Q348 222 300 242" fill="none" stroke="${metal}" stroke-width="4" stroke-dasharray="1 6" stroke-linecap="round"/>` +
        `<text x="200" y="280" text-anchor="middle" font-family="${font.family}" font-style="${font.style}" font-weight="${font.weight}" font-size="${fitted(name, 200, 62)}" fill="${metal}" stroke="#8a6a2a" stroke-width="0.6">${name}</text>` +
        `<text x="200" y="352" text-anchor="middle" font-family="sans-serif" font-size="12" letter-spacing="2" fill="#9a7b68">${caption}</text>`,
    );
  },
  poster(f) {
    const title = clean(f.title);
    const place = clean(f.place?.toUpperCase());
    const date = clean(f.date?.toUpperCase());
    return svg(
      '<rect width="400" height="400" fill="#e8e2d6"/>' +
        '<rect x="112" y="36" width="176" height="240" fill="#222"/>' +
        '<rect x="120" y="44" width="160" height="224" fill="#fdfcf8"/>' +
        '<rect x="130" y="54" width="140" height="204" fill="#1b2440"/>' +
        '<circle cx="200" cy="124" r="52" fill="#121a31" stroke="#e9d9a6" stroke-width="1.5"/>' +
        '<g fill="#fff"><circle cx="176" cy="100" r="1.6"/><circle cx="202" cy="88" r="1.2"/><circle cx="224" cy="108" r="1.8"/><circle cx="196" cy="116" r="2"/><circle cx="212" cy="146" r="1.6"/></g>' +
        `<text x="200" y="202" text-anchor="middle" font-family="serif" font-style="italic" font-size="${fitted(title, 130, 15)}" fill="#f3e6bd">${title}</text>` +
        `<text x="200" y="222" text-anchor="middle" font-family="sans-serif" font-size="7" letter-spacing="1" fill="#aeb6cc">${place}</text>` +
        `<text x="200" y="234" text-anchor="middle" font-family="sans-serif" font-size="7" letter-spacing="1" fill="#aeb6cc">${date}</text>`,
    );
  },
  case(f) {
    const name = clean(f.name);
    return svg(
      '<rect width="400" height="400" fill="#e7ebe2"/>' +
        '<rect x="120" y="28" width="156" height="330" rx="34" fill="#f4c79a"/>' +
        '<circle cx="232" cy="176" r="26" fill="#fff3d9" opacity="0.9"/>' +
        '<path d="M120 268 Q180 226 276 254 L276 324 Q276 358 242 358 L154 358 Q120 358 120 324 Z" fill="#4f6b4c"/>' +
        '<rect x="136" y="44" width="70" height="70" rx="18" fill="#000" opacity="0.25"/>' +
        `<text x="198" y="332" text-anchor="middle" font-family="serif" font-style="italic" font-size="${fitted(name, 130, 30)}" fill="#fdf6e6">${name}</text>`,
    );
  },
};

/** The preview of `template` with the words in `query`; null for a product the demo does not draw. */
export function renderDemoPreview(template: string, query: URLSearchParams): string | null {
  if (!isPreviewTemplate(template)) return null;
  const fields: PreviewFields = {};
  for (const key of FIELD_NAMES) {
    const value = query.get(key);
    if (value !== null) fields[key] = value;
  }
  return DRAW[template](fields);
}
