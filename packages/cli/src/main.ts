/** The `vmshift` command line: parses arguments, dispatches to a command, maps errors to exit codes. */
import { parseArgs } from "node:util";
import { type Logger, isVmshiftError, redactingLogger, silentLogger } from "@vmshift/core";
import { type Command, type CommandContext, type OptionTable, UsageError, commandHelp, optionLines, rejectEmptyValues } from "./command.ts";
import { completionCommand } from "./commands/completion.ts";
import { conformanceCommand } from "./commands/conformance.ts";
import { demoCommand } from "./commands/demo.ts";
import { fleetCommands } from "./commands/fleet.ts";
import { hostsCommand, vmsCommand } from "./commands/inventory.ts";
import { attachCommand, cancelCommand, migrateCommand, planCommand, statusCommand } from "./commands/migrate.ts";
import { planCommands } from "./commands/plans.ts";
import { targetCommand } from "./commands/target.ts";
import { moveCommand } from "./commands/move.ts";
import { EXIT, type CliIo, type ExitCode, exitCodeLines } from "./io.ts";
import { type Connection, connect } from "./platforms.ts";
import { invisibleEscaping } from "./terminal-safe.ts";
import { cliVersion } from "./version.ts";
import { type ResolvedProfile, loadProfile } from "./profiles.ts";

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  vmsCommand,
  hostsCommand,
  planCommands(planCommand),
  migrateCommand,
  statusCommand,
  attachCommand,
  cancelCommand,
  moveCommand,
  ...fleetCommands,
  conformanceCommand,
  targetCommand,
  completionCommand(() => COMMANDS.map((c) => c.name)),
];

/** Flags every command takes. */
export const GLOBAL_OPTIONS: OptionTable = {
  profile: { type: "string", value: "name", description: "profile from the config file, or simulator, simulator-fast, target:<conformance target> (default: the file's defaultProfile, else simulator)" },
  config: {
    type: "string",
    value: "file",
    description: "config file with the profiles (default: $VMSHIFT_CONFIG, else vmshift/config.yaml in $XDG_CONFIG_HOME or ~/.config); a file named here or in $VMSHIFT_CONFIG must exist",
  },
  json: { type: "boolean", description: "NDJSON events and a final JSON result (errors as JSON too) instead of text" },
  verbose: { type: "boolean", short: "v", description: "log what the SDK and adapter do to stderr (requests, retries); credentials are masked" },
  help: { type: "boolean", short: "h", description: "print the command's usage and every flag it takes" },
};

/** `vmshift --help`: the commands, the global flags, where profiles come from, the exit codes. */
export function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "vmshift — live and cold VM migration through one interface",
    "",
    "usage: vmshift <command> [options]   (vmshift <command> --help lists its options)",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    "Profiles: `simulator` (the default), `simulator-fast` and `target:<conformance target>` are built in; others come from the config file (--config).",
    "",
    "exit codes:",
    ...exitCodeLines(),
    "",
  ].join("\n");
}

/**
 * The exit code for what a command threw (see `EXIT_MEANINGS`): 2 when the CLI refused what it was
 * given — a `UsageError`, a `parseArgs` error, or a `VmshiftError` the CLI raised itself about its
 * configuration (operation `cli.*`: config file, profile, platform or target name) — and 1 for
 * every other error: the SDK's and the platform's whatever their code, a `cli.*`
 * `CAPABILITY_UNAVAILABLE` (this machine lacks what the command needs), and unexpected ones.
 */
export function exitForError(error: unknown): ExitCode {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) return EXIT.usage;
  if (isVmshiftError(error) && error.operation?.startsWith("cli.") && error.code !== "CAPABILITY_UNAVAILABLE") return EXIT.usage;
  return EXIT.error;
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], rawIo: CliIo): Promise<ExitCode> {
  // Text from platforms reaches terminals: invisible format characters are always shown escaped.
  const io: CliIo = { ...rawIo, stdout: invisibleEscaping(rawIo.stdout), stderr: invisibleEscaping(rawIo.stderr) };
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V") {
    io.stdout.write(`${cliVersion()}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`vmshift: unknown command ${name}\n\n${help()}`);
    return EXIT.usage;
  }
  let profile: ResolvedProfile | undefined;
  let connection: Connection | undefined;
  try {
    const options: OptionTable = { ...GLOBAL_OPTIONS, ...command.options };
    const parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
    if (parsed.values["help"]) {
      io.stdout.write(commandHelp(command, GLOBAL_OPTIONS));
      return EXIT.ok;
    }
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(`expected ${min === max ? min : `${min} to ${max}`} argument(s); usage: vmshift ${command.usage}`);
    }
    rejectEmptyValues(parsed.values, options);
    const profileName = typeof parsed.values["profile"] === "string" ? parsed.values["profile"] : undefined;
    const configFile = typeof parsed.values["config"] === "string" ? parsed.values["config"] : undefined;
    const ctx: CommandContext = {
      io,
      flags: parsed.values as CommandContext["flags"],
      positionals: parsed.positionals,
      json: parsed.values["json"] === true,
      profile() {
        profile ??= loadProfile(profileName, io.env, io.cwd, configFile === undefined ? {} : { configFile });
        return profile;
      },
      async client() {
        if (!connection) {
          const p = ctx.profile();
          const sink = parsed.values["verbose"] === true ? stderrLogger(io) : silentLogger;
          connection = await connect(p, { logger: redactingLogger(sink, p.secrets) }, io);
        }
        return connection.client;
      },
    };
    return await command.run(ctx);
  } catch (error) {
    if (isVmshiftError(error) && parsedJson(argv)) io.stdout.write(`${JSON.stringify({ event: "error", error: error.toJSON() })}\n`);
    else if (isVmshiftError(error) || exitForError(error) === EXIT.usage) io.stderr.write(`vmshift ${name}: ${(error as Error).message}\n`);
    else io.stderr.write(`vmshift ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitForError(error);
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** `--verbose`: one line per log record on stderr (already redacted by the caller's redactingLogger). */
function stderrLogger(io: CliIo): Logger {
  return {
    log(level, message, fields) {
      io.stderr.write(`[${level}] ${message}${fields === undefined ? "" : ` ${JSON.stringify(fields)}`}\n`);
    },
  };
}

function parsedJson(argv: readonly string[]): boolean {
  return argv.includes("--json");
}
