/**
 * virsh commands against configured hosts: argv through the one builder, results through the
 * one fault table. No parsing policy here beyond "ok or VmshiftError".
 */
import { VmshiftError } from "@vmshift/core";
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

/** virsh bound to the configured hosts. */
export class Virsh {
  readonly #runner: VirshRunner;
  readonly #hosts: ReadonlyMap<string, LibvirtHostConfig>;

  constructor(runner: VirshRunner, hosts: readonly LibvirtHostConfig[]) {
    this.#runner = runner;
    this.#hosts = new Map(hosts.map((h) => [h.id, h]));
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
  async run(hostId: string, command: string, args: readonly VirshArg[], ctx: CallContext): Promise<string> {
    const result = await this.raw(hostId, command, args, ctx);
    if (result.code !== 0) throw virshError(result, { operation: ctx.operation, command, ...(ctx.subject === undefined ? {} : { subject: ctx.subject }) });
    return result.stdout;
  }

  /** Starts a long-running command (e.g. `migrate`). */
  start(hostId: string, command: string, args: readonly VirshArg[], operation: string): VirshProcess {
    return this.#runner.start(virshArgv(this.host(hostId, operation).uri, command, args));
  }
}

/** `--domain <id>` */
export const dom = (id: string): VirshArg => ({ option: "--domain", value: id });
