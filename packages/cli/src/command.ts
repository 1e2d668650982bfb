/** The shape of a CLI command and what it is handed. */
import type { VmshiftClient } from "@vmshift/core";
import type { CliIo, ExitCode } from "./io.ts";
import type { ResolvedProfile } from "./profiles.ts";

/** Parsed flag values. */
export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * One flag of a command: a `node:util` `parseArgs` option plus what `--help` says about it, so the
 * help is generated from the table the parser uses and cannot drift from it.
 */
export interface CliOption {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** One line for `--help`: what it does, with its unit and default. */
  readonly description?: string;
  /** What a string flag's value is, shown as `--name <value>`, e.g. `ms`, `host`. Default `value`. */
  readonly value?: string;
  /** Said after "--name needs a value (it was empty)" when the value is empty, e.g. the flag to use instead. */
  readonly ifEmpty?: string;
}

/** A command's flags by name (without the leading `--`). */
export type OptionTable = Readonly<Record<string, CliOption>>;

/** An option table with every flag described: what the CLI's own commands declare (`satisfies`). */
export type DescribedOptionTable = Readonly<Record<string, CliOption & { readonly description: string }>>;

/** What a command's `run` gets. */
export interface CommandContext {
  readonly io: CliIo;
  readonly flags: Flags;
  readonly positionals: readonly string[];
  /** True with `--json`: NDJSON events and a final JSON result, no decoration. */
  readonly json: boolean;
  /** Connects with the selected profile (lazily: commands that need no platform never connect). */
  client(): Promise<VmshiftClient>;
  profile(): ResolvedProfile;
}

/** One CLI command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The synopsis: arguments and required flags, e.g. `migrate <vm> (--to <host> | --any-host) [options]`; every flag is listed from `options`. */
  readonly usage: string;
  readonly options: OptionTable;
  readonly positionals?: { readonly min: number; readonly max: number };
  run(ctx: CommandContext): Promise<ExitCode>;
}

/** `--max-downtime <ms>`, `-h, --help`: how a flag is written. */
export function flagSynopsis(name: string, option: CliOption): string {
  const flag = `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "string" ? ` <${option.value ?? "value"}>` : ""}`;
  return option.multiple ? `${flag}…` : flag;
}

/** One line per flag: its synopsis and its description, aligned. */
export function optionLines(options: OptionTable): string[] {
  const entries = Object.entries(options).map(([name, option]) => [flagSynopsis(name, option), option.description ?? ""] as const);
  const width = Math.max(0, ...entries.map(([flag]) => flag.length));
  return entries.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`.trimEnd());
}

/** `vmshift <command> --help`: usage, summary, the command's flags, then the global ones (when given). */
export function commandHelp(command: Command, globalOptions: OptionTable = {}): string {
  const section = (title: string, options: OptionTable) => (Object.keys(options).length ? [`${title}:`, ...optionLines(options), ""] : []);
  return [`usage: vmshift ${command.usage}`, "", command.summary, "", ...section("options", command.options), ...section("global options", globalOptions)].join("\n");
}

/** Reads a flag as a string (undefined when absent). */
export function flagString(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === "string" ? v : undefined;
}

/** Reads a flag as a non-negative number; throws a usage error naming the flag. */
export function flagNumber(flags: Flags, name: string): number | undefined {
  const v = flagString(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * Refuses empty string values (`--to ''`): an empty value never means "none" or "any"; the
 * option's `ifEmpty` says what to do instead.
 */
export function rejectEmptyValues(flags: Flags, options: OptionTable): void {
  for (const [name, value] of Object.entries(flags)) {
    if (value === "" || (Array.isArray(value) && value.includes(""))) {
      const hint = options[name]?.ifEmpty;
      throw new UsageError(`--${name} needs a value (it was empty)${hint ? `; ${hint}` : ""}`);
    }
  }
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}
