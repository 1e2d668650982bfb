/** `--help` is generated from the option tables the parser uses: every flag of every command is listed and described. */
import { describe, expect, it } from "vitest";
import { flagSynopsis } from "../src/command.ts";
import { EXIT, exitCodeLines } from "../src/io.ts";
import { COMMANDS, GLOBAL_OPTIONS } from "../src/main.ts";
import { runCli } from "../../../test-support/run-cli.ts";

describe("vmshift <command> --help", () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))("%s --help lists every flag it accepts, and the global ones", async (name, command) => {
    const { code, stdout } = await runCli([name, "--help"]);
    expect(code).toBe(EXIT.ok);
    expect(stdout.startsWith(`usage: vmshift ${command.usage}\n\n${command.summary}\n`)).toBe(true);
    const lines = stdout.split("\n");
    for (const [flag, option] of Object.entries({ ...command.options, ...GLOBAL_OPTIONS })) {
      const line = lines.find((l) => l.startsWith(`  ${flagSynopsis(flag, option)} `) || l === `  ${flagSynopsis(flag, option)}`);
      expect(line, `--${flag} in ${name} --help`).toBeDefined();
      if (option.description) expect(line!.endsWith(`  ${option.description}`), `--${flag}'s description`).toBe(true);
    }
    expect(lines.filter((l) => /^ {2}(-\w, )?--/.test(l))).toHaveLength(Object.keys({ ...command.options, ...GLOBAL_OPTIONS }).length);
  });

  it("migrate --help names each flag with its value and unit", async () => {
    const { stdout } = await runCli(["migrate", "--help"]);
    expect(stdout).toMatch(/^usage: vmshift migrate <vm> \(--to <host> \| --any-host\) \[options\]$/m);
    expect(stdout).toMatch(/^ {2}--max-downtime <ms> +longest pause the live switch-over may take, ms \(default: the platform's\)$/m);
    expect(stdout).toMatch(/^ {2}--timeout <ms> +stop waiting after this long, ms, and exit 6/m);
    expect(stdout).toMatch(/^ {2}--any-host +let the platform's scheduler choose/m);
    expect(stdout).toMatch(/^ {2}--config <file> +config file with the profiles/m);
  });

  it("every flag of every command has a one-line description", () => {
    for (const command of COMMANDS) {
      for (const [flag, option] of Object.entries({ ...command.options, ...GLOBAL_OPTIONS })) {
        expect(option.description?.trim(), `${command.name} --${flag}`).toBeTruthy();
        expect(option.description, `${command.name} --${flag}`).not.toContain("\n");
      }
    }
  });
});

describe("vmshift --help", () => {
  it("lists every command and prints the exit code table", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(EXIT.ok);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^ {2}${command.name} +${command.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    expect(stdout).toContain(`exit codes:\n${exitCodeLines().join("\n")}\n`);
    expect(exitCodeLines()).toHaveLength(Object.keys(EXIT).length);
  });
});
