import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { describeError } from "~/log-safe.server";

const ABORT_DELAY_MS = 5_000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Shopify's headers (frame-ancestors for the admin iframe when the address names a shop), then
  // ours, decided from the signed-in shop where there is one.
  loadContext.shopify?.addDocumentResponseHeaders(request, responseHeaders);
  setFrameAncestors(responseHeaders, remixContext);
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY_MS} />,
      {
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY_MS + 1_000);
  });
}

/**
 * Who may frame a page: the Shopify admin and the shop's own domain for a signed-in Shopify shop;
 * nobody for WooCommerce and standalone pages. A page with no signed-in shop keeps what Shopify's
 * helper set for its `?shop=` (the embedded sign-in needs it), else nobody.
 */
function setFrameAncestors(headers: Headers, remixContext: EntryContext) {
  const layout = remixContext.staticHandlerContext.loaderData["routes/app"] as
    { framedIn?: string | null } | undefined;
  if (layout && "framedIn" in layout) {
    headers.set(
      "Content-Security-Policy",
      layout.framedIn
        ? `frame-ancestors https://admin.shopify.com https://${layout.framedIn};`
        : "frame-ancestors 'none';",
    );
  } else if (!headers.has("Content-Security-Policy")) {
    headers.set("Content-Security-Policy", "frame-ancestors 'none';");
  }
}

/** Every unexpected error is logged once, with the reference the owner was shown. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  // An oversize body is answered 413 at the edge; it is not a fault of ours.
  if (request.signal.aborted || (error instanceof Error && error.name === "BodyTooLargeError"))
    return;
  const ref = request.headers.get("x-orderlane-error-ref") ?? "-";
  const where = new URL(request.url).pathname;
  console.error(`[error ${ref}] ${request.method} ${where}: ${describeError(error)}`);
  if (error instanceof Error && error.stack) {
    // Frames only: the message line above is the safe one.
    console.error(
      error.stack
        .split("\n")
        .filter((line) => /^\s+at /.test(line))
        .slice(0, 5)
        .join("\n"),
    );
  }
};
