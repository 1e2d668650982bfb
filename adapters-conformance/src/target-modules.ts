/**
 * Targets from outside the suite: a platform team's own adapter, or an environment of theirs, is a
 * module that exports its targets. The CLI loads such modules from `--targets <module>` and from
 * `$VMSHIFT_CONFORMANCE_TARGETS` (a list separated like `PATH`), so `vmshift conformance` runs the
 * same scenarios against an adapter that lives in another repository.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { VmshiftError } from "@vmshift/core";
import type { ConformanceTarget } from "./target.ts";

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
 * Imports one target module: a relative or absolute path resolves against `cwd`, anything else is a
 * package name resolved by Node. Throws `INVALID_ARGUMENT` naming the module when it cannot be loaded.
 */
export async function importTargetModule(specifier: string, cwd: string = process.cwd()): Promise<Record<string, unknown>> {
  const url = specifier.startsWith(".") || isAbsolute(specifier) ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
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
