/**
 * The one place virsh argument vectors are built. Every value passes {@link checkValue}: it stays
 * one argv element (virsh is spawned without a shell), cannot be read as an option (no leading
 * `-`), and carries no control characters (no newline, NUL or escape can smuggle a second command
 * into virsh's own parser or a log line). Command and option names are fixed identifiers.
 */
import { VmshiftError } from "@vmshift/core";

/** One argv piece after the command name: a flag (`--live`), an option with its value, or a positional value. */
export type VirshArg =
  | { readonly flag: string }
  | { readonly option: string; readonly value: string | number }
  | { readonly value: string | number }
  | { readonly inputFile: true };

/**
 * Stands for "a file holding RunOptions.input" in an argv. It contains a NUL, so no value that
 * passed {@link checkValue} can equal it; the transport replaces it with a private temporary file
 * (virsh cannot read /dev/stdin when stdin is a socket, as it is under Node).
 */
export const INPUT_FILE = "\u0000vmshift-input-file";

const NAME = /^[a-z][a-z0-9-]*$/;
const OPTION = /^--[a-z][a-z0-9-]*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const VALUE_MAX = 4096;

/**
 * Validates one value for argv: a non-empty string (or finite non-negative integer) of at most
 * 4096 characters, without control characters and not starting with `-`.
 * @throws VmshiftError `INVALID_ARGUMENT` naming `what`.
 */
export function checkValue(what: string, value: string | number): string {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw invalid(what, `must be a non-negative integer, got ${String(value)}`);
    return String(value);
  }
  if (typeof value !== "string" || value.length === 0 || value.length > VALUE_MAX) throw invalid(what, `must be a non-empty string of at most ${VALUE_MAX} characters`);
  if (CONTROL.test(value)) throw invalid(what, "must not contain control characters (newline, NUL, escape)");
  if (value.startsWith("-")) throw invalid(what, "must not start with '-' (virsh would read it as an option)");
  return value;
}

/**
 * Builds `virsh -q -c <uri> <command> …args`. Values go through {@link checkValue}; the result is
 * passed to the runner as an array, never joined into a shell string.
 * @param uri libvirt connection URI, e.g. `qemu:///system`, `qemu+ssh://host/system`.
 * @param command virsh command name, e.g. `domjobinfo`.
 */
export function virshArgv(uri: string, command: string, args: readonly VirshArg[] = []): string[] {
  if (!NAME.test(command)) throw invalid("command", `is not a virsh command name: ${JSON.stringify(command)}`);
  const argv = ["-q", "-c", checkValue("connection uri", uri), command];
  for (const arg of args) {
    if ("flag" in arg) {
      if (!OPTION.test(arg.flag)) throw invalid("flag", `is not an option name: ${JSON.stringify(arg.flag)}`);
      argv.push(arg.flag);
    } else if ("inputFile" in arg) {
      argv.push(INPUT_FILE);
    } else if ("option" in arg) {
      if (!OPTION.test(arg.option)) throw invalid("option", `is not an option name: ${JSON.stringify(arg.option)}`);
      argv.push(arg.option, checkValue(arg.option, arg.value));
    } else {
      argv.push(checkValue("argument", arg.value));
    }
  }
  return argv;
}

function invalid(what: string, reason: string): VmshiftError {
  return new VmshiftError("INVALID_ARGUMENT", `${what} ${reason}`, { adapter: "libvirt", retryable: false });
}
