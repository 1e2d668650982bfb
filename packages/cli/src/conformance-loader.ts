/**
 * The only door from the CLI to the conformance suite. `@vmshift/conformance` (and through it nock,
 * fixture replays and environments) loads only here, only when `vmshift conformance`, a
 * `target:<name>` profile or `demo --real` asks for it, and it is an optional peer: a global
 * install of the CLI works without it and says how to add it.
 */
import { VmshiftError } from "@vmshift/core";
import type { CliIo } from "./io.ts";

/** The suite's module, as a type only: nothing of it loads until {@link loadConformance} runs. */
type Conformance = typeof import("@vmshift/conformance");
/** A conformance target (the suite's `ConformanceTarget`). */
export type ConformanceTarget = Conformance["TARGETS"][number];
/** A report format the suite writes. */
export type ReportFormat = Parameters<Conformance["formatReport"]>[1];

/** The suite's module, loaded on first use. */
export async function loadConformance(): Promise<Conformance> {
  try {
    return await import("@vmshift/conformance");
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes("@vmshift/conformance")) {
      throw new VmshiftError("CAPABILITY_UNAVAILABLE", "the conformance suite is not installed: npm i -g @vmshift/conformance (next to @vmshift/cli)", { operation: "cli.conformance", cause: error });
    }
    throw error;
  }
}

/** The target an adapter module creates (`--adapter <module>`, resolved against the working directory). */
export async function adapterTarget(io: Pick<CliIo, "cwd">, specifier: string): Promise<ConformanceTarget> {
  const suite = await loadConformance();
  return suite.loadAdapterTarget(specifier, io.cwd);
}

/** Every target this CLI can run: the suite's own and those of `$VMSHIFT_CONFORMANCE_TARGETS` and `--targets` modules. */
export async function availableTargets(io: Pick<CliIo, "env" | "cwd">, modules: readonly string[] = []): Promise<{ all: readonly ConformanceTarget[]; find(name: string): ConformanceTarget | undefined }> {
  const suite = await loadConformance();
  const extra = await suite.loadTargetModules([...suite.targetModulesFromEnv(io.env), ...modules], io.cwd);
  const all = [...suite.TARGETS.filter((t) => !extra.some((e) => e.name === t.name)), ...extra];
  return { all, find: (name) => suite.findTarget(name, extra) };
}

/** What `vmshift conformance --suite move` runs: the `moveSuite` a target module exports. */
export interface MoveSuiteModule {
  sides(): readonly { readonly name: string; readonly source: boolean; readonly target: boolean }[];
  run(from: string, to: string, options: { readonly only?: readonly string[]; readonly diskBytes?: number; readonly onResult?: (r: import("@vmshift/conformance").ScenarioResult) => void }): Promise<import("@vmshift/conformance").ConformanceReport>;
}

/**
 * The move suite: the first `moveSuite` export of the target modules (`$VMSHIFT_CONFORMANCE_TARGETS`
 * and `--targets`); the repository's target module has it (the suite's sides need the checkout's
 * labs). `CAPABILITY_UNAVAILABLE` when no module has one.
 */
export async function loadMoveSuite(io: Pick<CliIo, "env" | "cwd">, modules: readonly string[] = []): Promise<MoveSuiteModule> {
  const suite = await loadConformance();
  for (const specifier of [...suite.targetModulesFromEnv(io.env), ...modules]) {
    const mod = await suite.importTargetModule(specifier, io.cwd);
    const found = mod["moveSuite"] as Partial<MoveSuiteModule> | undefined;
    if (typeof found?.run === "function" && typeof found.sides === "function") return found as MoveSuiteModule;
  }
  throw new VmshiftError("CAPABILITY_UNAVAILABLE", `no target module exports the move suite (moveSuite): the vmshift repository's own target module (targets/index.ts of its conformance package) does; name it in $VMSHIFT_CONFORMANCE_TARGETS or --targets`, { operation: "cli.conformance" });
}
