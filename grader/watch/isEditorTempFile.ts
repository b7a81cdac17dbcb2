/**
 * Names an editor writes beside the file it saves (vim's swap files and its 4913 probe, emacs'
 * #autosave# and .#locks, backups ending in ~, JetBrains' ___jb_tmp___, .tmp, .crswap), dot
 * files and node_modules: changes to them start nothing.
 */
export function isEditorTempFile(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const name = parts.at(-1) ?? "";
  return (
    name === "" ||
    parts.some((part) => part.startsWith(".") || part === "node_modules") ||
    name.startsWith("#") ||
    name.endsWith("~") ||
    /^\d+$/.test(name) ||
    /\.(swp|swo|swx|tmp|bak|orig|crswap)$/i.test(name) ||
    /___jb_(tmp|old|bak)___$/.test(name)
  );
}
