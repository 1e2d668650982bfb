/** Platform text with invisible or control characters never reaches a terminal raw. */
import { describe, expect, it } from "vitest";
import { escapeInvisible, invisibleEscaping, terminalSafe } from "../src/terminal-safe.ts";
import { table } from "../src/format.ts";

const RLO = "\u202E";

describe("terminal safety", () => {
  it("escapes bidirectional overrides, zero-width and separator characters, and keeps the rest", () => {
    expect(escapeInvisible(`web${RLO}exe.vm`)).toBe("web\\u202Eexe.vm");
    expect(escapeInvisible("a\u200Bb\u2028c\uFEFF")).toBe("a\\u200Bb\\u2028c\\uFEFF");
    expect(escapeInvisible("Büro-Ωmega-虚拟 🙂\n\r\u001b[K")).toBe("Büro-Ωmega-虚拟 🙂\n\r\u001b[K");
  });

  it("escapes an astral format character as a surrogate pair that JSON.parse reads back", () => {
    const line = escapeInvisible(JSON.stringify({ name: "x\u{E0041}" }));
    expect(line).toBe('{"name":"x\\uDB40\\uDC41"}');
    expect((JSON.parse(line) as { name: string }).name).toBe("x\u{E0041}");
  });

  it("table cells escape control characters (escape sequences from a platform) too", () => {
    expect(terminalSafe("vm\u001b[2Jx\u0007")).toBe("vm\\u001B[2Jx\\u0007");
    const out = table(["VM"], [[`evil\u001b]0;title\u0007${RLO}`]]);
    expect(out).not.toMatch(/[\u001b\u0007\u202E]/);
    expect(out).toContain("evil\\u001B]0;title\\u0007\\u202E");
  });

  it("a wrapped stream escapes what is written and passes other arguments through", () => {
    const written: unknown[][] = [];
    const stream = invisibleEscaping({ isTTY: true, write: (...args: unknown[]) => written.push(args) });
    const done = () => undefined;
    (stream.write as (...a: unknown[]) => unknown)(`x${RLO}`, done);
    expect(written).toEqual([["x\\u202E", done]]);
    expect(stream.isTTY).toBe(true);
  });
});
