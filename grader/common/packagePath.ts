import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | null = null;

/**
 * An absolute path inside the gradmark package, from source (tsx, vitest) or from dist/ alike:
 * walks up from this module to the folder whose package.json is gradmark's.
 */
export function packagePath(relativePath: string): string {
  if (root === null) {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
      const manifest = join(dir, "package.json");
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "gradmark")
        break;
      const parent = dirname(dir);
      if (parent === dir) throw new Error("gradmark: cannot find the package root");
      dir = parent;
    }
    root = dir;
  }
  return join(root, relativePath);
}
