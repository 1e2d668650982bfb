/** docs/cli.md carries the exit code table and every command's flags exactly as the code has them. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { commandHelp } from "../src/command.ts";
import { EXIT, EXIT_MEANINGS } from "../src/io.ts";
import { COMMANDS } from "../src/main.ts";
import { CLI_DOC, withReference } from "./cli-reference.ts";

describe("docs/cli.md", () => {
  const doc = readFileSync(CLI_DOC, "utf8");

  it("its generated reference is current (else run: node packages/cli/test/cli-reference.ts)", () => {
    expect(doc).toBe(withReference(doc));
  });

  it("shows every exit code with its meaning from io.ts, and every command's help", () => {
    for (const [name, code] of Object.entries(EXIT)) {
      expect(doc).toContain(`| ${code} | \`${name}\` |`);
      expect(doc).toContain(EXIT_MEANINGS[name as keyof typeof EXIT].replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    }
    for (const command of COMMANDS) expect(doc).toContain(`\`\`\`text\n${commandHelp(command).trimEnd()}\n\`\`\``);
  });
});
