/**
 * A virsh runner for the lab that can inject transient faults (a connection reset before libvirt
 * acts) and lose the answer of a migration start, and counts the migrations it started per
 * domain. Test infrastructure for the conformance `faults.*` scenarios; the faults are injected
 * here, between vmshift and a real virsh, and never touch the daemons.
 */
import type { RunOptions, VirshProcess, VirshResult, VirshRunner } from "@vmshift/libvirt";

/** Which requests a transient fault hits. */
export type FaultKind = "start" | "progress" | "cancel";

const KIND_COMMANDS: Readonly<Record<FaultKind, readonly string[]>> = {
  start: ["dominfo", "domstate"],
  progress: ["domjobinfo"],
  cancel: ["domjobabort"],
};

const RESET: VirshResult = { code: 1, stdout: "", stderr: "error: Cannot recv data: Connection reset by peer (injected by the libvirt lab)\n" };

/** The runner plus its controls. */
export interface FaultyRunner extends VirshRunner {
  /** The next `times` requests of `kind` fail with a connection reset before reaching virsh. */
  failTransiently(kind: FaultKind, times: number): void;
  /** After the next `migrate` starts, the reads that would confirm it fail (three in a row). */
  loseNextStartResponse(): void;
  /** `migrate` processes started for a domain (name or UUID as passed to `--domain`). */
  migrationCount(domain: string): number;
  /** virsh invocations so far (including injected failures). */
  count(): number;
  /** The subcommand of every invocation so far, in order (`virsh domjobinfo`, `virsh migrate`…). */
  log(): readonly string[];
}

/** Wraps `inner` with fault injection. */
export function faultyRunner(inner: VirshRunner): FaultyRunner {
  const pending: Record<FaultKind, number> = { start: 0, progress: 0, cancel: 0 };
  const migrations = new Map<string, number>();
  let loseNext = false;
  let swallowReads = 0;
  let calls = 0;
  const kinds: string[] = [];
  return {
    async run(argv: readonly string[], options?: RunOptions): Promise<VirshResult> {
      calls++;
      const command = argv[3] ?? "";
      kinds.push(`virsh ${command}`);
      if (command === "domjobinfo" && swallowReads > 0) {
        swallowReads--;
        return RESET;
      }
      for (const kind of Object.keys(pending) as FaultKind[]) {
        if (pending[kind] > 0 && KIND_COMMANDS[kind].includes(command)) {
          pending[kind]--;
          return RESET;
        }
      }
      return inner.run(argv, options);
    },
    start(argv: readonly string[]): VirshProcess {
      calls++;
      kinds.push(`virsh ${argv[3] ?? ""}`);
      const proc = inner.start(argv);
      if (argv[3] === "migrate") {
        const i = argv.indexOf("--domain");
        const domain = i >= 0 ? (argv[i + 1] ?? "") : "";
        migrations.set(domain, (migrations.get(domain) ?? 0) + 1);
        if (loseNext) {
          loseNext = false;
          swallowReads = 3;
        }
      }
      return proc;
    },
    failTransiently(kind, times) {
      pending[kind] += times;
    },
    loseNextStartResponse() {
      loseNext = true;
    },
    migrationCount: (domain) => migrations.get(domain) ?? 0,
    count: () => calls,
    log: () => kinds,
  };
}
