/**
 * The generated part of docs/cli.md — global options, exit codes, every command's usage and flags —
 * rendered from the CLI's own tables, so the page cannot drift from `--help` (docs.test.ts checks
 * it). `node packages/cli/test/cli-reference.ts` rewrites it in place.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { commandHelp, flagSynopsis } from "../src/command.ts";
import { EXIT, EXIT_MEANINGS } from "../src/io.ts";
import { COMMANDS, GLOBAL_OPTIONS } from "../src/main.ts";

/** docs/cli.md. */
export const CLI_DOC = fileURLToPath(new URL("../../../docs/cli.md", import.meta.url));

const START = "<!-- Generated from packages/cli/src by packages/cli/test/cli-reference.ts: edit the code, then run `node packages/cli/test/cli-reference.ts`. -->";
const END = "<!-- End of the generated reference. -->";

/** A table cell: pipes escaped, angle brackets as entities (else `<id>` reads as an HTML tag). */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** A code span in a table cell (only pipes need escaping there). */
const code = (text: string) => `\`${text.replace(/\|/g, "\\|")}\``;

/** The reference as Markdown, between its markers. */
export function cliReference(): string {
  const names = Object.keys(EXIT) as (keyof typeof EXIT)[];
  return [
    START,
    "",
    "## Global options",
    "",
    "Every command takes these.",
    "",
    "| flag | meaning |",
    "| --- | --- |",
    ...Object.entries(GLOBAL_OPTIONS).map(([name, option]) => `| ${code(flagSynopsis(name, option))} | ${cell(option.description ?? "")} |`),
    "",
    "## Exit codes",
    "",
    "| code | name | meaning |",
    "| ---: | --- | --- |",
    ...names.map((name) => `| ${EXIT[name]} | ${code(name)} | ${cell(EXIT_MEANINGS[name])} |`),
    "",
    "## Commands",
    "",
    "Each block is the command's `--help` without the global options.",
    "",
    ...COMMANDS.flatMap((command) => [`### ${command.name}`, "", "```text", commandHelp(command).trimEnd(), "```", ""]),
    END,
  ].join("\n");
}

/** `doc` with its generated part replaced by {@link cliReference}; throws when the markers are missing. */
export function withReference(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/cli.md lacks the generated-reference markers`);
  return `${doc.slice(0, start)}${cliReference()}${doc.slice(end + END.length)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CLI_DOC, withReference(readFileSync(CLI_DOC, "utf8")));
}
