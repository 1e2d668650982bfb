import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Node } from "web-tree-sitter";
import { nodesOfType, powershellParser } from "../../../test-support/powershell-parser.ts";
import { psString, psValue, readPsString } from "./encode.ts";
import { PARAM_PREFIX, type ScriptTemplate, renderScript, scriptFromWire, wireCommand } from "./script.ts";
import { sessionSetup } from "./transport.ts";
import { SCRIPTS } from "./scripts/index.ts";

const HOSTILE = ["'", "''", '"', "\u2018", "\u2019", "\u201A", "\u201B", "\u201C", "\u201D", "\u201E", "$", "$(", "$(Remove-Item C:\\ -Recurse)", "${env:PATH}", "@(", "@'", "'@", "@\"", "`", "``", "`0", "`n", ";", "|", "&", "&&", "||", "#", "<#", "#>", "{", "}", "(", ")", "[", "]", "\n", "\r", "\r\n", "\t", "\u0000", "\u0001", "\u001b", "\u007f", "\u0085", "\u2028", "\u2029", "\uFEFF", "-", "--%", "%", "*", "?", "\\", "/", ",", "=", "+", "a", "Z", "0", " ", "é", "中", "😀", "Get-VM", "exit", "\u00a0"];

/** Hostile strings: concatenations of the pieces above mixed with arbitrary Unicode. */
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...HOSTILE), { maxLength: 12 }).map((parts) => parts.join("")) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 16 }) },
);

/** Hostile values checked per run (at least); each script carries several. */
const VALUES = 10_000;
const SCRIPT_RUNS = 4_000;

/**
 * Checks the prelude of a parsed script: its string literals are exactly the encoded values, in
 * order, each decoding (PowerShell's rules; base64 where wrapped) to its value, and the only
 * variables are the parameter variables and the two preference variables.
 */
function assertPrelude(root: Node, script: string, paramCount: number, expected: readonly string[]): void {
  const end = script.indexOf("$vmshift_result = $null");
  const endPoint = pointAt(script, end);
  const from = { row: 0, column: 0 };
  const literals = root.descendantsOfType("string_literal", from, endPoint).filter((n) => n !== null && n.endIndex <= end) as Node[];
  expect(literals.map((literal) => decodeLiteral(literal, script))).toEqual(["Stop", "SilentlyContinue", ...expected]);
  const variables = root.descendantsOfType("variable", from, endPoint).filter((n) => n !== null && n.endIndex <= end);
  expect(variables.length).toBe(paramCount + 2);
  expect(root.descendantsOfType("sub_expression", from, endPoint).filter((n) => n !== null && n.endIndex <= end)).toHaveLength(0);
}

function decodeLiteral(node: Node, script: string): string {
  const { value, end } = readPsString(node.text, 0);
  expect(end).toBe(node.text.length);
  return script.slice(0, node.startIndex).endsWith("FromBase64String(") ? Buffer.from(value, "base64").toString("utf8") : value;
}

function pointAt(text: string, index: number): { row: number; column: number } {
  const before = text.slice(0, index);
  const row = before.split("\n").length - 1;
  // Columns are in bytes for tree-sitter; a generous column on the same row is enough as an upper bound.
  return { row, column: Buffer.byteLength(before.slice(before.lastIndexOf("\n") + 1), "utf8") };
}

describe("psString", () => {
  it("doubles ASCII and Unicode single quotes", () => {
    expect(psString("a'b")).toBe("'a''b'");
    expect(psString("\u2018x\u2019\u201A\u201B")).toBe("'\u2018\u2018x\u2019\u2019\u201A\u201A\u201B\u201B'");
    expect(psString('$(x) `n "y"')).toBe("'$(x) `n \"y\"'");
  });

  it("sends values with NUL or other control characters as one base64 literal", () => {
    expect(psString("a\u0000b")).toBe("([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('YQBi')))");
  });

  it("refuses lone surrogates with INVALID_ARGUMENT", () => {
    expect(() => psString("a\uD800")).toThrow(/INVALID_ARGUMENT/);
  });

  it("encodes the other value types", () => {
    expect(psValue(null)).toBe("$null");
    expect(psValue(true)).toBe("$true");
    expect(psValue(42)).toBe("42");
    expect(psValue(["a", "b'"])).toBe("@('a', 'b''')");
    expect(() => psValue(Number.NaN)).toThrow(/INVALID_ARGUMENT/);
  });

  it("round-trips through readPsString with PowerShell's quote rules", () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const encoded = psString(value);
        expect(readPsString(encoded, 0)).toEqual({ value, end: encoded.length });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("rendered scripts under tree-sitter-powershell", () => {
  it(`parse without error and carry each of ${VALUES}+ hostile values as exactly one string literal`, async () => {
    const parser = await powershellParser();
    const templates = (Object.values(SCRIPTS) as ScriptTemplate[]).filter((t) => t.params.length > 0);
    const baseline = new Map<string, number>();
    for (const template of templates) {
      const params = Object.fromEntries(template.params.map((p) => [p, "x"]));
      const tree = parser.parse(renderScript(template, params))!;
      expect(tree.rootNode.hasError, template.name).toBe(false);
      baseline.set(template.name, tree.rootNode.descendantsOfType("string_literal").length - template.params.length);
      tree.delete();
    }
    let values = 0;
    fc.assert(
      fc.property(fc.constantFrom(...templates), fc.array(hostileString, { minLength: 6, maxLength: 6 }), fc.array(hostileString, { maxLength: 3 }), (template, pool, list) => {
        const params: Record<string, string | string[]> = {};
        const expected: string[] = [];
        template.params.forEach((p, i) => {
          const value = p.endsWith("List") ? list : pool[i]!;
          params[p] = value;
          expected.push(...(typeof value === "string" ? [value] : value));
        });
        const script = renderScript(template, params);
        const tree = parser.parse(script)!;
        try {
          expect(tree.rootNode.hasError).toBe(false);
          assertPrelude(tree.rootNode, script, template.params.length, expected);
          // No value created or swallowed a literal of the template body.
          expect(tree.rootNode.descendantsOfType("string_literal").length).toBe(baseline.get(template.name)! + expected.length);
          values += expected.length;
        } finally {
          tree.delete();
        }
      }),
      { numRuns: SCRIPT_RUNS },
    );
    expect(values).toBeGreaterThanOrEqual(VALUES);
  }, 120_000);

  it("catches a naive encoder that does not double quotes (the property can fail)", async () => {
    const parser = await powershellParser();
    const naive = (value: string) => `# vmshift:t\n$ErrorActionPreference = 'Stop'\n$ProgressPreference = 'SilentlyContinue'\n$vmshift_vmId = '${value}'\n$vmshift_result = $null\n`;
    const failures = ["a'b", "x\u2019; Remove-VM *; '", "$(whoami)'"].filter((value) => {
      const script = naive(value);
      const tree = parser.parse(script)!;
      try {
        if (tree.rootNode.hasError) return true;
        assertPrelude(tree.rootNode, script, 1, [value]);
        return false;
      } catch {
        return true;
      } finally {
        tree.delete();
      }
    });
    expect(failures).toEqual(["a'b", "x\u2019; Remove-VM *; '", "$(whoami)'"]);
  });

  it("rejects a script with an unterminated literal (the check can fail)", async () => {
    const parser = await powershellParser();
    const tree = parser.parse("$vmshift_vmId = 'it''s\nGet-VM -Id $vmshift_vmId")!;
    expect(tree.rootNode.hasError).toBe(true);
  });

  it("builds remoting session lines that parse and carry each value as one literal", async () => {
    const parser = await powershellParser();
    fc.assert(
      fc.property(hostileString, hostileString, fc.boolean(), (host, user, ssh) => {
        const line = ssh ? sessionSetup({ hostName: host, userName: user, keyFilePath: user }) : sessionSetup({ computerName: host, userName: user, password: "never-in-text", useSsl: true, port: 5986 });
        expect(line).not.toContain("never-in-text");
        const tree = parser.parse(line)!;
        try {
          expect(tree.rootNode.hasError).toBe(false);
          const literals = tree.rootNode.descendantsOfType("string_literal").map((n) => decodeLiteral(n!, line));
          const expected = ssh ? [host, user, user] : [user, host, "Default"];
          expect(literals).toEqual(expected);
          expect(tree.rootNode.descendantsOfType("sub_expression")).toHaveLength(0);
        } finally {
          tree.delete();
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("wraps scripts into one stdin line and reads them back", async () => {
    const script = renderScript(SCRIPTS.getVm, { vmId: "a'\n$(b)", hostList: ["h1"] });
    const line = wireCommand(script);
    expect(line).not.toContain("\n");
    expect(scriptFromWire(line)).toBe(script);
    const parser = await powershellParser();
    expect(parser.parse(line)!.rootNode.hasError).toBe(false);
  });
});
