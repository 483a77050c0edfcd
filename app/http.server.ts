// How the app answers an error at its HTTP edges: JSON with a code and a message, never a stack.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function jsonError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

/**
 * Turns what a service threw into the response: libraries (Shopify's) throw ready Responses, our
 * own code throws HttpError; anything else is a bug and goes on to Remix's 500 handling.
 */
export function errorResponse(err: unknown): Response {
  if (err instanceof Response) return err;
  if (err instanceof HttpError) return jsonError(err.status, err.code, err.message);
  throw err;
}
