/**
 * What protected a grading: the `sandbox` object of the JSON result. Every child of one grading
 * runs under the same layers, found once per process (see detectIsolation).
 */
export interface SandboxReport {
  /** The OS tool that built the walls around each child. */
  tool: "bubblewrap" | "util-linux" | "none";
  /** Node's permission model: the child reads its bundle and nothing else, writes nothing, spawns nothing. */
  permissionModel: boolean;
  /** Its own network namespace: no interface reaches the machine or beyond. */
  networkNamespace: boolean;
  /** Its own PID namespace: it sees and can signal no other process. */
  pidNamespace: boolean;
  /** A file system view holding only what the child needs, read-only. */
  readOnlyView: boolean;
  /** It runs as an unprivileged user (nobody), or in a user namespace without capabilities. */
  unprivilegedUser: boolean;
  /** no_new_privs: nothing it runs can gain privileges. */
  noNewPrivileges: boolean;
  /** It is killed by the kernel when the grader dies, however the grader dies. */
  dieWithParent: boolean;
  /** The layers that were missing, in words, with how to get them; empty when none was. */
  missing: string[];
}
