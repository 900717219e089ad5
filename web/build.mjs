// Copy the vendored front-end assets into the Python package, where lexdesk serves them.
// Reproducible: exact versions from package-lock.json, plain copies, no bundler.
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "src", "lexdesk", "entrypoints", "web", "static", "vendor");

const copies = [
  ["@uswds/uswds/dist/css/uswds.min.css", "uswds/css/uswds.min.css"],
  ["@uswds/uswds/dist/js/uswds.min.js", "uswds/js/uswds.min.js"],
  ["@uswds/uswds/dist/js/uswds-init.min.js", "uswds/js/uswds-init.min.js"],
  ["@uswds/uswds/dist/fonts", "uswds/fonts", (path) => !/\.(ttf|woff|eot)$/.test(path) && !/public-sans/.test(path)],
  ["@uswds/uswds/dist/img", "uswds/img", (path) => !/(material-icons|uswds-icons|hero\.webp|loader\.gif)/.test(path)],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["axe-core/axe.min.js", "axe-core/axe.min.js"],
];

rmSync(vendor, { recursive: true, force: true });
const versions = {};
for (const [from, to, filter = () => true] of copies) {
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(modules, from), target, { recursive: true, filter });
  const pkg = from.startsWith("@") ? from.split("/").slice(0, 2).join("/") : from.split("/")[0];
  versions[pkg] = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}
writeFileSync(join(vendor, ".gitignore"), "# Built by web/build.mjs (make assets) from web/package-lock.json.\n*\n");
writeFileSync(join(vendor, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`vendored ${Object.entries(versions).map(([n, v]) => `${n}@${v}`).join(", ")}`);
