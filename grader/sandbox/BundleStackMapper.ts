import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Turns positions in a submission bundle, as they appear in a stack trace from the child, into
 * positions in the files it was built from. The child runs without source maps (loading an
 * inline map cost every child about 15 ms of CPU); the parent reads the bundle's map beside it,
 * once, and only when a stack needs it.
 */
export class BundleStackMapper {
  private sourceMap: SourceMap | null | undefined;
  private readonly pattern: RegExp;

  constructor(
    readonly bundleFile: string,
    readonly mapFile: string,
  ) {
    const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const url = literal(pathToFileURL(bundleFile).href);
    this.pattern = new RegExp(`(?:${url}|${literal(bundleFile)}):(\\d+):(\\d+)`, "g");
  }

  /** `stack` with every bundle position replaced by its source file, line and column. */
  map(stack: string): string {
    return stack.replace(this.pattern, (whole, line: string, column: string) => {
      const sourceMap = this.load();
      if (!sourceMap) return whole;
      const entry = sourceMap.findEntry(Number(line) - 1, Number(column) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
      const source = resolve(dirname(this.mapFile), entry.originalSource);
      return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
    });
  }

  private load(): SourceMap | null {
    if (this.sourceMap === undefined) {
      try {
        this.sourceMap = new SourceMap(JSON.parse(readFileSync(this.mapFile, "utf8")));
      } catch {
        this.sourceMap = null;
      }
    }
    return this.sourceMap;
  }
}
