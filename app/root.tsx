import type { LinksFunction } from "@remix-run/node";
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
} from "@remix-run/react";

export const links: LinksFunction = () => [
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export default function App() {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/**
 * The last resort for an error no page caught: says what happened in the owner's words, never the
 * error's own text, which can carry a query or a file path (the server log has it, with details).
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>Orderlane</title>
        <Meta />
        <Links />
      </head>
      <body style={{ fontFamily: "system-ui, sans-serif", margin: "3rem auto", maxWidth: "36rem" }}>
        <h1>{status === 404 ? "Page not found" : "Something went wrong"}</h1>
        <p>
          {status === 404
            ? "There is no page at this address."
            : "Orderlane could not show this page. Nothing was changed. Reload the page; if it happens again, the server log says why."}
        </p>
        <p>
          <a href="/app">Back to orders</a>
        </p>
        <Scripts />
      </body>
    </html>
  );
}
