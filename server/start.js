// `npm start`, `npm run worker`, `npm run web`: run the compiled server that `npm run build` writes
// (<build>/server/main.js, REMIX_BUILD_DIR or `build`), in this same process so signals reach the
// app directly. Without a build it stops with one line saying what to do, rather than Node's
// module-not-found stack. Plain JavaScript on purpose: it must run before anything is compiled.
import fs from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const project = path.resolve(import.meta.dirname, "..");
const buildDir = path.resolve(process.env.REMIX_BUILD_DIR ?? "build");
const entry = path.join(buildDir, "server", "main.js");
if (!fs.existsSync(entry)) {
  console.error(
    `[orderlane] cannot start: no compiled server at ${entry}; run \`npm run build\` first`,
  );
  process.exit(1);
}
// A build outside the project finds its packages in the project's node_modules (the build keeps
// them external): see resolve-from-project.js. Inside the project, Node finds them on its own.
if (
  path.relative(project, buildDir).startsWith("..") ||
  path.isAbsolute(path.relative(project, buildDir))
) {
  register("./resolve-from-project.js", import.meta.url, {
    data: { projectUrl: pathToFileURL(path.join(project, "package.json")).href },
  });
}
await import(pathToFileURL(entry).href);
