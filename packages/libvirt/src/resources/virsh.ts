/**
 * virsh commands against configured hosts: argv through the one builder, results through the
 * one fault table. No parsing policy here beyond "ok or VmshiftError".
 */
import { type Clock, VmshiftError, systemClock } from "@vmshift/core";
import { type VirshArg, virshArgv } from "../argv.ts";
import type { LibvirtHostConfig } from "../config.ts";
import { virshError } from "../errors.ts";
import type { VirshProcess, VirshResult, VirshRunner } from "../transport.ts";

/** Per-call context for error messages. */
export interface CallContext {
  readonly operation: string;
  readonly subject?: string;
  readonly input?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * Commands that change nothing (or nothing more when repeated): a transient failure of one of
 * these (connection reset, state-lock timeout) is retried. Everything else runs once.
 */
export const IDEMPOTENT_COMMANDS: ReadonlySet<string> = new Set([
  "dominfo", "domstate", "list", "domblklist", "dumpxml", "nodeinfo", "nodememstats", "version", "domjobinfo", "hypervisor-cpu-compare",
  "vol-info", "migrate-getspeed", "domstats", "domjobabort", "migrate-setmaxdowntime",
]);

/** Retry policy of {@link Virsh}. */
export interface VirshRetry {
  /** Retries after the first attempt, for idempotent commands with retryable faults. Default 2. */
  readonly retries?: number;
  /** First delay, ms, doubling. Default 200. */
  readonly delayMs?: number;
  /** Time source for the delays. Default the system clock. */
  readonly clock?: Clock;
}

/** virsh bound to the configured hosts. */
export class Virsh {
  readonly #runner: VirshRunner;
  readonly #hosts: ReadonlyMap<string, LibvirtHostConfig>;
  readonly #retries: number;
  readonly #delayMs: number;
  readonly #clock: Clock;

  constructor(runner: VirshRunner, hosts: readonly LibvirtHostConfig[], retry: VirshRetry = {}) {
    this.#runner = runner;
    this.#hosts = new Map(hosts.map((h) => [h.id, h]));
    this.#retries = retry.retries ?? 2;
    this.#delayMs = retry.delayMs ?? 200;
    this.#clock = retry.clock ?? systemClock;
  }

  /** Configured hosts, in configuration order. */
  hosts(): LibvirtHostConfig[] {
    return [...this.#hosts.values()];
  }

  /** The host config; `NOT_FOUND` for an unknown id. */
  host(id: string, operation: string): LibvirtHostConfig {
    const host = this.#hosts.get(id);
    if (!host) throw new VmshiftError("NOT_FOUND", `no libvirt connection is configured as host ${JSON.stringify(id)}`, { adapter: "libvirt", operation, subject: id, retryable: false });
    return host;
  }

  /** Runs a command; resolves with the raw result whatever the exit code. */
  async raw(hostId: string, command: string, args: readonly VirshArg[], ctx: CallContext): Promise<VirshResult> {
    const argv = virshArgv(this.host(hostId, ctx.operation).uri, command, args);
    return this.#runner.run(argv, {
      ...(ctx.input === undefined ? {} : { input: ctx.input }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
    });
  }

  /** Runs a command; stdout on success, the mapped VmshiftError otherwise. */
  /** Runs a command; stdout on success, the mapped VmshiftError otherwise (idempotent commands retried on transient faults). */
  async run(hostId: string, command: string, args: readonly VirshArg[], ctx: CallContext): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const result = await this.raw(hostId, command, args, ctx);
      if (result.code === 0) return result.stdout;
      const error = virshError(result, { operation: ctx.operation, command, ...(ctx.subject === undefined ? {} : { subject: ctx.subject }) });
      if (!error.retryable || attempt >= this.#retries || !IDEMPOTENT_COMMANDS.has(command)) throw error;
      await this.#clock.sleep(this.#delayMs * 2 ** attempt, ctx.signal);
    }
  }

  /** Starts a long-running command (e.g. `migrate`). */
  start(hostId: string, command: string, args: readonly VirshArg[], operation: string): VirshProcess {
    return this.#runner.start(virshArgv(this.host(hostId, operation).uri, command, args));
  }
}

/** `--domain <id>` */
export const dom = (id: string): VirshArg => ({ option: "--domain", value: id });
