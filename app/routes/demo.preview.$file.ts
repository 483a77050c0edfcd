import type { LoaderFunctionArgs } from "@remix-run/node";

// The demo's live previews, drawn from the order's options (app/demo/previews.ts). Only a process
// in demo mode has them; elsewhere, and for a product the demo does not draw, the answer is 404.
export function loader({ params, request, context }: LoaderFunctionArgs) {
  const file = params.file ?? "";
  const drawn =
    context.demo && file.endsWith(".svg")
      ? context.demo.previewImage(file.slice(0, -".svg".length), new URL(request.url).searchParams)
      : null;
  if (drawn === null) {
    return new Response("No such preview", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  return new Response(drawn, {
    headers: {
      "Content-Type": "image/svg+xml; charset=utf-8",
      // Opened on its own, an SVG is a document: nothing in it may run or load anything.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "public, max-age=3600",
    },
  });
}
