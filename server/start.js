// `npm start`, `npm run worker`, `npm run web`: run the compiled server that `npm run build` writes
// (<build>/server/main.js, REMIX_BUILD_DIR or `build`), in this same process so signals reach the
// app directly. Without a build it stops with one line saying what to do, rather than Node's
// module-not-found stack. Plain JavaScript on purpose: it must run before anything is compiled.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const entry = path.resolve(process.env.REMIX_BUILD_DIR ?? "build", "server", "main.js");
if (!fs.existsSync(entry)) {
  console.error(
    `[orderlane] cannot start: no compiled server at ${entry}; run \`npm run build\` first`,
  );
  process.exit(1);
}
await import(pathToFileURL(entry).href);
