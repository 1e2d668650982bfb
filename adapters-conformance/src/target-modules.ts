/**
 * Targets from outside the suite: a platform team's own adapter, or an environment of theirs, is a
 * module that exports its targets. The CLI loads such modules from `--targets <module>` and from
 * `$VMSHIFT_CONFORMANCE_TARGETS` (a list separated like `PATH`), so `vmshift conformance` runs the
 * same scenarios against an adapter that lives in another repository.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as core from "@vmshift/core";
import { VmshiftError } from "@vmshift/core";
import * as budgets from "./budgets.ts";
import { lacking, offered } from "./platform.ts";
import * as platforms from "./platforms.ts";
import type { ConformanceTarget } from "./target.ts";
import { SIMULATOR_BUDGET, simulatorTargetFor } from "./targets/simulator.ts";

/** The environment variable that names target modules. */
export const TARGET_MODULES_ENV = "VMSHIFT_CONFORMANCE_TARGETS";

/**
 * Splits `$VMSHIFT_CONFORMANCE_TARGETS` into module specifiers (`:` separated, `;` on Windows;
 * empty entries are ignored).
 */
export function targetModulesFromEnv(env: Readonly<Record<string, string | undefined>>, delimiter = process.platform === "win32" ? ";" : ":"): string[] {
  return (env[TARGET_MODULES_ENV] ?? "").split(delimiter).filter((s) => s.trim() !== "");
}

/** Whether `value` has the shape of a {@link ConformanceTarget}. */
export function isConformanceTarget(value: unknown): value is ConformanceTarget {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Record<string, unknown>;
  return typeof t["name"] === "string" && t["name"] !== "" && typeof t["adapter"] === "string" && typeof t["description"] === "string" && typeof t["open"] === "function";
}

/**
 * Imports one target module: a relative or absolute path, or a path to a file that exists under
 * `cwd`, resolves against `cwd`; anything else is a package name resolved by Node. Throws `INVALID_ARGUMENT` naming the module when it cannot be loaded.
 */
export async function importTargetModule(specifier: string, cwd: string = process.cwd()): Promise<Record<string, unknown>> {
  // A path (relative, absolute, or naming a file that exists under cwd) is a file; anything else a package.
  const isPath = specifier.startsWith(".") || isAbsolute(specifier) || existsSync(resolve(cwd, specifier));
  const url = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new VmshiftError("INVALID_ARGUMENT", `conformance target module ${specifier} could not be loaded: ${(error as Error).message}`, { operation: "conformance.targets", cause: error });
  }
}

/**
 * Imports each module and collects its targets: a module exports `targets` (an array) or a default
 * export that is an array or a single target (see {@link importTargetModule} for how a specifier
 * resolves). Throws `INVALID_ARGUMENT` naming the module when it cannot be loaded or exports no valid
 * target, and when two modules define the same target name.
 */
export async function loadTargetModules(specifiers: readonly string[], cwd: string = process.cwd()): Promise<ConformanceTarget[]> {
  const found: ConformanceTarget[] = [];
  for (const specifier of specifiers) {
    const mod = await importTargetModule(specifier, cwd);
    const exported = mod["targets"] ?? mod["default"];
    const list: unknown[] = Array.isArray(exported) ? exported : exported === undefined ? [] : [exported];
    const bad = list.findIndex((t) => !isConformanceTarget(t));
    if (list.length === 0 || bad >= 0) {
      const why = list.length === 0 ? "exports no `targets` array and no default export" : `entry ${bad} is not a target (needs name, adapter, description, open())`;
      throw new VmshiftError("INVALID_ARGUMENT", `conformance target module ${specifier} ${why}`, { operation: "conformance.targets" });
    }
    for (const target of list as ConformanceTarget[]) {
      if (found.some((t) => t.name === target.name)) {
        throw new VmshiftError("INVALID_ARGUMENT", `conformance target ${target.name} is defined twice (again in ${specifier})`, { operation: "conformance.targets" });
      }
      found.push(target);
    }
  }
  return found;
}

/**
 * What the default export of an adapter module (`vmshift conformance --adapter <module>`) is called
 * with: the suite's helpers and the `@vmshift/core` the suite runs with, so a module needs no
 * dependencies of its own to build a target.
 */
export interface ConformanceKit {
  /** Wraps the simulator's world around your adapter: `simulatorTargetFor(({ api }) => yourAdapter(api))`. */
  readonly simulatorTargetFor: typeof simulatorTargetFor;
  /** The simulator target's request budget (spread it to adjust one number). */
  readonly SIMULATOR_BUDGET: typeof SIMULATOR_BUDGET;
  /** `offered(source)` / `lacking(source)` for a platform declaration of your own. */
  readonly offered: typeof offered;
  readonly lacking: typeof lacking;
  /** The built-in platform declarations (`KUBEVIRT_PLATFORM`, …). */
  readonly platforms: typeof platforms;
  /** The built-in budgets (`nutanixBudget(pollEveryMs)`, …). */
  readonly budgets: typeof budgets;
  /** `@vmshift/core` as the suite loaded it: `VmshiftError`, `supported`, `unsupported`, `CAPABILITY_NAMES`, … */
  readonly core: typeof core;
}

/** The kit handed to adapter modules. */
export const CONFORMANCE_KIT: ConformanceKit = { simulatorTargetFor, SIMULATOR_BUDGET, offered, lacking, platforms, budgets, core };

/**
 * Loads an adapter module and builds its target: the module's default export is a factory called
 * with the {@link ConformanceKit} that returns a target (or a promise of one), or a target itself.
 * Throws `INVALID_ARGUMENT` naming the module when it cannot be loaded or gives no valid target.
 */
export async function loadAdapterTarget(specifier: string, cwd: string = process.cwd()): Promise<ConformanceTarget> {
  const mod = await importTargetModule(specifier, cwd);
  const exported = mod["default"];
  let target: unknown;
  try {
    target = typeof exported === "function" ? await (exported as (kit: ConformanceKit) => unknown)(CONFORMANCE_KIT) : exported;
  } catch (error) {
    throw new VmshiftError("INVALID_ARGUMENT", `adapter module ${specifier}: its default export threw: ${(error as Error).message}`, { operation: "conformance.adapter", cause: error });
  }
  if (!isConformanceTarget(target)) {
    const what = exported === undefined ? "has no default export" : typeof exported === "function" ? "default export did not return a target" : "default export is neither a function nor a target";
    throw new VmshiftError("INVALID_ARGUMENT", `adapter module ${specifier} ${what} (a target needs name, adapter, description, open(); e.g. export default ({ simulatorTargetFor }) => simulatorTargetFor(({ api }) => myAdapter(api)))`, { operation: "conformance.adapter" });
  }
  return target;
}
