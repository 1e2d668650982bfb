/** Every script template the adapter sends, by name. */
import { moveStopped, startVm, stopVm } from "./cold.ts";
import { getVm, listHosts, listVms, probe } from "./inventory.ts";
import { cancelLive, migrationStatus, startLive } from "./migration.ts";
import { preflight } from "./preflight.ts";

/** The templates, keyed by operation name (the `# vmshift:<name>` header). */
export const SCRIPTS = { listVms, getVm, listHosts, probe, preflight, startLive, migrationStatus, cancelLive, stopVm, moveStopped, startVm } as const;

/** A script name. */
export type ScriptName = keyof typeof SCRIPTS;
