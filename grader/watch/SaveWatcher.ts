import { type FSWatcher, watch } from "node:fs";
import { sep } from "node:path";
import { ImportGraph, stemOf } from "./importGraph.js";
import { isEditorTempFile } from "./isEditorTempFile.js";

/**
 * Watches the modules folder for saves: changes are gathered until `debounceMs` pass without
 * one, then the import graph is brought up to date with the changed files (read whole when the
 * platform does not name them) and `onSave` gets the problems they reach (those whose module is,
 * or loads, a changed file) with the files. Editors' temporary files are ignored.
 */
export class SaveWatcher {
  private readonly graph: ImportGraph;
  private readonly changed = new Set<string>();
  private everything = false;
  private timer: NodeJS.Timeout | null = null;
  private graphReady: Promise<void>;
  private readonly watcher: FSWatcher;
  private closed = false;

  constructor(
    srcDir: string,
    private readonly problems: readonly { id: string; module: string }[],
    private readonly debounceMs: number,
    private readonly onSave: (problems: string[], files: string[]) => void,
    onError: (error: Error) => void,
  ) {
    this.graph = new ImportGraph(srcDir);
    this.graphReady = this.graph.scanAll().catch(() => {});
    this.watcher = watchFolder(srcDir, (filename) => this.onChange(filename), onError);
  }

  /** Stops watching; a save being read into the graph then reaches no one. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.watcher.close();
  }

  private onChange(filename: string | null): void {
    if (this.closed) return;
    if (filename === null) this.everything = true;
    else {
      const path = filename.split(sep).join("/");
      if (isEditorTempFile(path)) return;
      this.changed.add(path);
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const files = [...this.changed];
    const whole = this.everything;
    this.changed.clear();
    this.everything = false;
    const stems = files.map(stemOf);
    this.graphReady = this.graphReady
      .then(() => (whole ? this.graph.scanAll() : this.graph.update(stems)))
      .catch(() => {});
    await this.graphReady;
    if (this.closed) return;
    const reached = whole
      ? this.problems.map((p) => p.id)
      : this.problems.filter((p) => this.graph.reaches(stemOf(p.module), stems)).map((p) => p.id);
    this.onSave(reached, files);
  }
}

/** fs.watch on the folder and what is under it where Node can (Linux, macOS, Windows). */
function watchFolder(
  dir: string,
  listener: (filename: string | null) => void,
  onError: (error: Error) => void,
): FSWatcher {
  const call = (_event: string, filename: string | Buffer | null) =>
    listener(filename === null ? null : String(filename));
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { recursive: true }, call);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM") throw error;
    watcher = watch(dir, call);
  }
  watcher.on("error", onError);
  return watcher;
}
