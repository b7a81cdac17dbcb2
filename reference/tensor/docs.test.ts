import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Every export of the kit carries a doc comment, so an editor shows what it does on hover. Read
// with the compiler, as an editor reads it: through index.ts's re-exports to the declarations.
const entry = fileURLToPath(new URL("./index.ts", import.meta.url));

function exportedSymbols(): { checker: ts.TypeChecker; exports: ts.Symbol[] } {
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`cannot read ${entry}`);
  return { checker, exports: checker.getExportsOfModule(module) };
}

function documented(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "";
}

/** The members a user of a class can reach: public ones, constructors included. */
function publicMembers(symbol: ts.Symbol): ts.Symbol[] {
  const members = [...(symbol.members?.values() ?? []), ...(symbol.exports?.values() ?? [])];
  return members.filter((member) =>
    (member.getDeclarations() ?? []).some(
      (declaration) =>
        !ts.isPrivateIdentifier(ts.getNameOfDeclaration(declaration) ?? declaration) &&
        (ts.getCombinedModifierFlags(declaration) &
          (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) ===
          0 &&
        // A type parameter of the class is no member.
        !ts.isTypeParameterDeclaration(declaration),
    ),
  );
}

/** "name" for an export, "Class.member" for a member, each without a doc comment. */
function undocumented(): { names: string[]; checked: string[] } {
  const { checker, exports } = exportedSymbols();
  const names: string[] = [];
  const checked: string[] = [];
  for (const exported of exports) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    checked.push(exported.name);
    if (!documented(symbol, checker)) names.push(exported.name);
    if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
    for (const member of publicMembers(symbol)) {
      const name = `${exported.name}.${member.name === "__constructor" ? "constructor" : member.name}`;
      checked.push(name);
      if (!documented(member, checker)) names.push(name);
    }
  }
  return { names, checked };
}

describe("the kit's documentation", () => {
  it("has a doc comment on every export of index.ts and every public member of its classes", () => {
    const { names, checked } = undocumented();
    // Guards against a check over nothing: the exports and members are really read.
    expect(checked).toEqual(
      expect.arrayContaining([
        "Tensor",
        "Tensor.constructor",
        "Tensor.reshape",
        "add",
        "TensorLike",
      ]),
    );
    expect(checked.length).toBeGreaterThan(50);
    expect(names).toEqual([]);
  });
});
