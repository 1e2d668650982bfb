import { describe, expect, it } from "vitest";
import { isVmshiftError } from "./errors.ts";
import { requireId } from "./validate.ts";

function refusal(value: unknown): string | undefined {
  try {
    requireId("vmId", value, "vm.get");
    return undefined;
  } catch (error) {
    if (!isVmshiftError(error, "INVALID_ARGUMENT")) throw error;
    return error.message;
  }
}

describe("requireId", () => {
  it("takes ordinary ids, including non-ASCII names", () => {
    for (const id of ["web-01", "default/app-01", "vm-123", "Büro-Ωmega-虚拟", "🙂-vm", "a".repeat(1024)]) expect(refusal(id), id).toBeUndefined();
  });

  it("caps ids at 1024 UTF-16 code units", () => {
    expect(refusal("a".repeat(1024))).toBeUndefined();
    expect(refusal("a".repeat(1025))).toMatch(/at most 1024 characters/);
  });

  it.each([
    ["right-to-left override", "vm\u202Egpj.exe"],
    ["left-to-right mark", "vm\u200E01"],
    ["first-strong isolate", "vm\u2068x\u2069"],
    ["zero-width space", "web\u200B01"],
    ["byte-order mark", "\uFEFFweb-01"],
    ["line separator", "web\u202801"],
    ["escape (terminal control)", "web\u001b[2J"],
    ["C1 control", "web\u009b01"],
    ["DEL", "web\u007f"],
    ["lone surrogate", "web\uD800"],
    ["tag character (astral format)", "web\u{E0041}"],
  ])("refuses a %s, without echoing the value", (_what, id) => {
    const message = refusal(id);
    expect(message).toMatch(/INVALID_ARGUMENT: vmId must be a non-empty string of at most 1024 characters without control, invisible format or separator characters/);
    expect(message).not.toContain(id);
  });

  it("refuses what is not a non-empty string", () => {
    for (const value of ["", undefined, null, 42, {}]) expect(refusal(value)).toBeDefined();
  });
});
