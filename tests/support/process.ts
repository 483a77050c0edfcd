/** A clean environment for a child process: nothing leaks in from the test runner's own. */
export function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { NODE_ENV: "development", PATH: process.env.PATH ?? "", ...vars };
}
