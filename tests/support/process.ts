/** A clean environment for a child process: nothing leaks in from the test runner's own. */
export function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return {
    NODE_ENV: "development",
    PATH: process.env.PATH ?? "",
    // A demo started by a test serves its drop-ship feeds on free ports, so two such tests (or a
    // developer's own `npm run demo`) never collide on the fixed defaults.
    DEMO_FEED_FTP_PORT: "0",
    DEMO_FEED_SFTP_PORT: "0",
    ...vars,
  };
}
