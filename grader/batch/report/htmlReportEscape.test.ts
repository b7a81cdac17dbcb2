import { describe, expect, it } from "vitest";
import { escapeHtml } from "./htmlReportEscape.js";

describe("escapeHtml", () => {
  it("writes every character that could open markup or leave an attribute as a reference", () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&amp;`)).toBe(
      "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;",
    );
  });

  it("shows control characters and direction overrides as escapes", () => {
    expect(escapeHtml("evil\u202Egnp.exe\u001b[31m")).toBe("evil\\u202egnp.exe\\x1b[31m");
    expect(escapeHtml("Zoë Ærøskøbing 山田")).toBe("Zoë Ærøskøbing 山田");
  });
});
