// What an error may say in the log: its kind, the driver's code and the first line of its message,
// never a query's parameters (Drizzle appends them, and they hold customers' names and addresses).
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const cause = (error as { cause?: unknown }).cause;
  const code = codeOf(error) ?? codeOf(cause);
  const own = firstLine(error.message);
  const because = cause instanceof Error ? `; cause: ${firstLine(cause.message)}` : "";
  return `${error.name}${code ? ` [${code}]` : ""}: ${own}${because}`.slice(0, 500);
}

function codeOf(value: unknown): string | null {
  if (value && typeof value === "object" && "code" in value) {
    const code = (value as { code: unknown }).code;
    if (typeof code === "string" || typeof code === "number") return String(code);
  }
  return null;
}

function firstLine(message: string): string {
  return message.split(/\nparams:|\n/)[0]!.trim();
}
