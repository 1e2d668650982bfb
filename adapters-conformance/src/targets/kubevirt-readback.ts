/**
 * KubeVirt objects read back as the suite's platform views: where a VM is (its VMI, else its VM),
 * what a VirtualMachineInstanceMigration ran with (`status.migrationState.migrationConfiguration`),
 * and which claims and StorageClasses a VM's disks are on. The objects come from the platform, never
 * from the adapter under test: kubevirt-live reads them with kubectl, kubevirt-env from its store.
 */
import type { PowerState } from "@vmshift/core";
import type { PlatformDisk, PlatformDisks, PlatformLocation, PlatformTuning } from "../target.ts";

/** The fields of the KubeVirt objects these views read. */
export interface KvVmObject {
  readonly spec?: { readonly template?: { readonly spec?: { readonly volumes?: readonly KvVolume[]; readonly nodeSelector?: Readonly<Record<string, string>> } } };
}
export interface KvVmiObject {
  readonly spec?: { readonly volumes?: readonly KvVolume[] };
  readonly status?: { readonly nodeName?: string; readonly phase?: string };
}
export interface KvVolume {
  readonly name: string;
  readonly persistentVolumeClaim?: { readonly claimName: string };
  readonly dataVolume?: { readonly name: string };
}
export interface KvMigrationObject {
  readonly status?: { readonly migrationState?: { readonly migrationPolicyName?: string; readonly migrationConfiguration?: Readonly<Record<string, unknown>> } };
}

/** `namespace/name` → its parts (`default` when there is no namespace). */
export function splitKubevirtId(id: string): [namespace: string, name: string] {
  return id.includes("/") ? (id.split("/", 2) as [string, string]) : ["default", id];
}

/** Where a VM is: its VMI's node and phase, else stopped (on the node its VM pins, if any); unknown when neither exists. */
export function kubevirtLocation(vm: KvVmObject | undefined, vmi: KvVmiObject | undefined): PlatformLocation {
  if (vmi) {
    const phase = vmi.status?.phase;
    const powerState: PowerState = phase === "Running" ? "running" : phase === "Succeeded" || phase === "Failed" ? "stopped" : "unknown";
    return { ...(vmi.status?.nodeName ? { hostId: vmi.status.nodeName } : {}), powerState };
  }
  if (!vm) return { powerState: "unknown" };
  const pinned = vm.spec?.template?.spec?.nodeSelector?.["kubernetes.io/hostname"];
  return { ...(pinned ? { hostId: pinned } : {}), powerState: "stopped" };
}

const UNITS: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity (`2048Mi`, `2Gi`, `100M`, `0`) in its base unit; undefined when it is none. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value ?? ""));
  return m ? Number(m[1]) * (m[2] ? UNITS[m[2]]! : 1) : undefined;
}

/** What migration `id` (`namespace/name`) ran with, per its VMIM's `migrationState`; undefined before KubeVirt recorded it. */
export function kubevirtTuning(vmim: KvMigrationObject | undefined, id: string, via: string): PlatformTuning | undefined {
  const state = vmim?.status?.migrationState;
  const config = state?.migrationConfiguration;
  if (!config) return undefined;
  const flag = (v: unknown) => (typeof v === "boolean" ? v : undefined);
  const bandwidth = quantity(config["bandwidthPerMigration"]);
  const auto = flag(config["allowAutoConverge"]);
  const post = flag(config["allowPostCopy"]);
  const downtime = config["maxDowntimeMs"];
  return {
    ...(bandwidth === undefined ? {} : { bandwidthBytesPerSecond: bandwidth }),
    ...(auto === undefined ? {} : { allowAutoConverge: auto }),
    ...(post === undefined ? {} : { allowPostCopy: post }),
    ...(typeof downtime === "number" ? { maxDowntimeMs: downtime } : {}),
    source: `VMIM ${id} status.migrationState.migrationConfiguration, ${via} (${state?.migrationPolicyName ? `MigrationPolicy ${state.migrationPolicyName}` : "no MigrationPolicy: the KubeVirt CR's settings"})`,
  };
}

/** A VM's claim- and DataVolume-backed disks: what its VMI runs on and what its template names; `storageClassOf` reads a claim's StorageClass. */
export async function kubevirtDisks(namespace: string, vm: KvVmObject | undefined, vmi: KvVmiObject | undefined, storageClassOf: (claim: string) => Promise<string | undefined>): Promise<PlatformDisks | undefined> {
  if (!vm && !vmi) return undefined;
  const disks = async (volumes: readonly KvVolume[] | undefined): Promise<PlatformDisk[]> => {
    const out: PlatformDisk[] = [];
    for (const v of volumes ?? []) {
      // A DataVolume's claim has the DataVolume's name.
      const claim = v.persistentVolumeClaim?.claimName ?? v.dataVolume?.name;
      if (claim !== undefined) out.push({ name: v.name, location: `PersistentVolumeClaim ${namespace}/${claim}`, storageId: await storageClassOf(claim) });
    }
    return out;
  };
  return { running: await disks(vmi?.spec?.volumes), ...(vm ? { defined: await disks(vm.spec?.template?.spec?.volumes) } : {}) };
}
