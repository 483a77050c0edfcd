/**
 * For a hook that starts the app (or a browser, or a child process), not for a test: what a start-up
 * takes on a 2-core machine that other work shares. Measured beside `stress-ng --cpu 2` (load
 * average 9-20): PGlite's first open (compiling its WebAssembly) 11-25 s, Vite's dev server 7 s,
 * compiling the routes 13 s, and the suite starts two files at once. The one-minute hook timeout of
 * vitest.config.ts stays for every other hook.
 */
export const STARTUP_TIMEOUT_MS = 180_000;
