/**
 * A fake {@link VirshRunner} for unit tests: answers virsh invocations from registered responses
 * (recorded fixtures, mostly), records every call, and hands out controllable `migrate` processes.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunOptions, VirshProcess, VirshResult, VirshRunner } from "../src/transport.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** Reads `test/fixtures/<scenario>/<file>`. */
export function fixture(scenario: string, file: string): string {
  return readFileSync(join(FIXTURES, scenario, file), "utf8");
}

/** A successful result with this stdout. */
export const ok = (stdout = ""): VirshResult => ({ code: 0, stdout, stderr: "" });
/** A failed result with this stderr. */
export const fail = (stderr: string): VirshResult => ({ code: 1, stdout: "", stderr });

/** One recorded call. */
export interface Call {
  readonly uri: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly input?: string;
}

type Responder = VirshResult | ((call: Call) => VirshResult);

interface Rule {
  readonly uri: string | undefined;
  readonly command: string;
  readonly when: ((call: Call) => boolean) | undefined;
  readonly respond: Responder;
  remaining: number;
}

/** A `migrate` child the test ends when it wants. */
export interface FakeProcess extends VirshProcess {
  readonly call: Call;
  finish(result: VirshResult): void;
}

/** The fake runner. */
export class FakeVirsh implements VirshRunner {
  readonly calls: Call[] = [];
  readonly processes: FakeProcess[] = [];
  #rules: Rule[] = [];

  /**
   * Answers `command` on `uri` (any host when undefined). Later rules win; `times` limits how
   * often a rule answers (default: always).
   */
  on(uri: string | undefined, command: string, respond: Responder, options: { when?: (call: Call) => boolean; times?: number } = {}): this {
    this.#rules.unshift({ uri, command, when: options.when, respond, remaining: options.times ?? Infinity });
    return this;
  }

  /** Calls of one command (optionally on one host). */
  callsOf(command: string, uri?: string): Call[] {
    return this.calls.filter((c) => c.command === command && (uri === undefined || c.uri === uri));
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<VirshResult> {
    const call = parse(argv, options.input);
    this.calls.push(call);
    const rule = this.#rules.find((r) => r.remaining > 0 && r.command === call.command && (r.uri === undefined || r.uri === call.uri) && (!r.when || r.when(call)));
    if (!rule) return fail(`error: fake virsh has no answer for ${call.command} ${call.args.join(" ")} on ${call.uri}`);
    rule.remaining--;
    return typeof rule.respond === "function" ? rule.respond(call) : rule.respond;
  }

  start(argv: readonly string[]): VirshProcess {
    const call = parse(argv, undefined);
    this.calls.push(call);
    let settle!: (r: VirshResult) => void;
    const done = new Promise<VirshResult>((resolve) => (settle = resolve));
    const proc: FakeProcess = {
      call,
      pid: 4242 + this.processes.length,
      done,
      finish: (r) => settle(r),
    };
    this.processes.push(proc);
    return proc;
  }
}

function parse(argv: readonly string[], input: string | undefined): Call {
  if (argv[0] !== "-q" || argv[1] !== "-c" || argv[2] === undefined || argv[3] === undefined) throw new Error(`unexpected argv ${JSON.stringify(argv)}`);
  return { uri: argv[2], command: argv[3], args: argv.slice(4), ...(input === undefined ? {} : { input }) };
}

/** The value after `--name` in a call's args. */
export function optionValue(call: Call, name: string): string | undefined {
  const i = call.args.indexOf(name);
  return i >= 0 ? call.args[i + 1] : undefined;
}
