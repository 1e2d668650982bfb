/** The `vmshift` command line: parses arguments, dispatches to a command, maps errors to exit codes. */
import { parseArgs } from "node:util";
import { isVmshiftError, redactingLogger, silentLogger } from "@vmshift/core";
import { type Command, type CommandContext, type OptionTable, UsageError, rejectEmptyValues } from "./command.ts";
import { completionCommand } from "./commands/completion.ts";
import { conformanceCommand } from "./commands/conformance.ts";
import { demoCommand } from "./commands/demo.ts";
import { fleetCommands } from "./commands/fleet.ts";
import { hostsCommand, vmsCommand } from "./commands/inventory.ts";
import { attachCommand, cancelCommand, migrateCommand, planCommand, statusCommand } from "./commands/migrate.ts";
import { EXIT, type CliIo, type ExitCode } from "./io.ts";
import { type Connection, connect } from "./platforms.ts";
import { cliVersion } from "./version.ts";
import { type ResolvedProfile, loadProfile } from "./profiles.ts";

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  vmsCommand,
  hostsCommand,
  planCommand,
  migrateCommand,
  statusCommand,
  attachCommand,
  cancelCommand,
  ...fleetCommands,
  conformanceCommand,
  completionCommand(() => COMMANDS.map((c) => c.name)),
];

const GLOBAL_OPTIONS: OptionTable = {
  profile: { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "vmshift — live and cold VM migration through one interface",
    "",
    "usage: vmshift <command> [options] [--profile name] [--config file] [--json]",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Profiles come from --config, $VMSHIFT_CONFIG (either must exist) or ~/.config/vmshift/config.yaml; `simulator` (the default), `simulator-fast` and `target:<conformance target>` are built in.",
    "Exit codes: 0 ok, 1 error, 2 usage, 3 migration failed, 4 cancelled, 5 partial, 6 timeout, 7 conformance failures, 8 detached.",
    "",
  ].join("\n");
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
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
      io.stdout.write(`usage: vmshift ${command.usage}\n\n${command.summary}\n`);
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
          connection = await connect(p, { logger: redactingLogger(silentLogger, p.secrets) }, io);
        }
        return connection.client;
      },
    };
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`vmshift ${name}: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    if (isVmshiftError(error)) {
      const message = error.message;
      if (parsedJson(argv)) io.stdout.write(`${JSON.stringify({ event: "error", error: error.toJSON() })}\n`);
      else io.stderr.write(`vmshift ${name}: ${message}\n`);
      return error.code === "INVALID_ARGUMENT" || error.operation === "cli.profile" ? EXIT.usage : EXIT.error;
    }
    io.stderr.write(`vmshift ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.error;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

function parsedJson(argv: readonly string[]): boolean {
  return argv.includes("--json");
}
