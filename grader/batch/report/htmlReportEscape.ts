import { sanitize } from "../../common/sanitize.js";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text for HTML content or a quoted attribute value. Folder and roster names are untrusted, so
 * every character that could open a tag, an entity or leave an attribute is a reference, and
 * control characters and direction overrides are shown as escapes instead of reordering the page.
 */
export function escapeHtml(text: string): string {
  return sanitize(text).replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}
