import { setupServer } from "msw/node";

/** One msw server per test process; tests add handlers with `mswServer.use(...)`. */
export const mswServer = setupServer();
