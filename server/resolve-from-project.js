// A module resolve hook, registered by start.js when the build folder lies outside the project
// (REMIX_BUILD_DIR=/srv/orderlane-build): the build keeps its packages external, and Node looks for
// a package in the node_modules folders above the file that imports it, so from a build elsewhere
// `import "zod"` finds nothing. A package that is not found there is looked for from the project
// that was built, as it would be from the project's own `build/`. Plain JavaScript: it runs before
// anything is compiled.
let projectUrl = "";

export function initialize(data) {
  projectUrl = data.projectUrl;
}

/** A package name ("zod", "@remix-run/node/dist/x.js"), not a path, URL or Node built-in. */
function isPackage(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!isPackage(specifier) || err?.code !== "ERR_MODULE_NOT_FOUND") throw err;
    return nextResolve(specifier, { ...context, parentURL: projectUrl });
  }
}
