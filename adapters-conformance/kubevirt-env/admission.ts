/**
 * KubeVirt's migration admission webhooks, with KubeVirt v1.9.0's own messages (reference §9):
 * the mutating webhook adds the `kubevirt.io/vmi-name` label and the `kubevirt.io/migrationJobFinalize`
 * finalizer; the validating webhook refuses a missing or finalized VMI, a VMI that is not
 * live-migratable, a second in-flight migration, and a caller-set priority; the update webhook
 * refuses spec changes; the MigrationPolicy validator checks values (`admitPolicy`).
 */
import { ApiError, type Store, type StoredObject } from "./store.ts";

const CREATE_WEBHOOK = "migration-create-validator.kubevirt.io";
const UPDATE_WEBHOOK = "migration-update-validator.kubevirt.io";
const FINAL = new Set(["Succeeded", "Failed"]);

function deny(webhook: string, message: string, field: string): ApiError {
  // KubeVirt's admitters answer with StatusReasonInvalid / 422 and the message as a cause.
  return new ApiError(422, "Invalid", `admission webhook "${webhook}" denied the request: ${message}`, { causes: [{ reason: "FieldValueInvalid", message, field }] });
}

interface MigrationBody {
  metadata: StoredObject["metadata"];
  spec: { vmiName?: string; priority?: string; sendTo?: unknown; receive?: unknown };
  status?: unknown;
}

/** Mutates and validates a VMIM create. Throws the webhook's denial. */
export function admitMigrationCreate(store: Store, namespace: string, object: StoredObject, decentralizedGate: boolean): StoredObject {
  const body = object as unknown as MigrationBody;
  const vmiName = body.spec?.vmiName ?? "";
  if (body.spec?.priority !== undefined) throw deny(CREATE_WEBHOOK, "Migration priority queue, only virt-controller is allowed to set priority field", "spec.priority");
  if ((body.spec?.sendTo !== undefined || body.spec?.receive !== undefined) && !decentralizedGate) {
    throw deny(CREATE_WEBHOOK, "DecentralizedLiveMigration feature gate is not enabled in kubevirt resource", "spec");
  }
  // ValidateVirtualMachineInstanceMigrationSpec runs first: an empty name is a missing field.
  if (vmiName === "") throw new ApiError(422, "Invalid", `admission webhook "${CREATE_WEBHOOK}" denied the request: vmiName is missing`, { causes: [{ reason: "FieldValueRequired", message: "vmiName is missing", field: "spec.vmiName" }] });
  const vmi = store.get("virtualmachineinstances", namespace, vmiName);
  if (!vmi) throw deny(CREATE_WEBHOOK, `the VMI "${namespace}/${vmiName}" does not exist`, "spec.vmiName");
  const vmiStatus = (vmi.status ?? {}) as { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
  if (vmiStatus.phase === "Succeeded" || vmiStatus.phase === "Failed") throw deny(CREATE_WEBHOOK, "Cannot migrate VMI in finalized state.", "spec.vmiName");
  const migratable = vmiStatus.conditions?.find((c) => c.type === "LiveMigratable");
  if (migratable && migratable.status === "False") {
    throw deny(CREATE_WEBHOOK, `Cannot migrate VMI, Reason: ${migratable.reason ?? ""}, Message: ${migratable.message ?? ""}`, "spec.vmiName");
  }
  const inFlight = store.all("virtualmachineinstancemigrations", namespace, { label: `kubevirt.io/vmi-name=${vmiName}` }).find((m) => !FINAL.has(((m.status ?? {}) as { phase?: string }).phase ?? ""));
  if (inFlight) {
    throw deny(CREATE_WEBHOOK, `in-flight migration detected. Active migration job (${inFlight.metadata.uid}) is currently already in progress for VMI ${vmiName}.`, "spec.vmiName");
  }
  const meta = (object.metadata ??= {} as StoredObject["metadata"]);
  meta.labels = { ...meta.labels, "kubevirt.io/vmi-name": vmiName };
  meta.finalizers = [...new Set([...(meta.finalizers ?? []), "kubevirt.io/migrationJobFinalize"])];
  delete object.status;
  return object;
}

/** Validates a VMIM update: the spec is immutable, and the vmi-name label may not change while in flight. */
export function admitMigrationUpdate(current: StoredObject, next: StoredObject): void {
  if (JSON.stringify(current.spec) !== JSON.stringify(next.spec)) throw deny(UPDATE_WEBHOOK, "update of VMIM object's spec is restricted", "spec");
  const phase = ((current.status ?? {}) as { phase?: string }).phase ?? "";
  const before = current.metadata.labels?.["kubevirt.io/vmi-name"];
  if (!FINAL.has(phase) && before !== undefined && next.metadata.labels?.["kubevirt.io/vmi-name"] !== before) {
    throw deny(UPDATE_WEBHOOK, "selector label kubevirt.io/vmi-name can't be modified on an in-flight migration", "metadata.labels");
  }
}

/**
 * KubeVirt's VirtualMachine validator on `runStrategy: WaitAsReceiver`: refused unless the
 * DecentralizedLiveMigration feature gate is on (`ValidateVirtualMachineSpec`, KubeVirt ≥ 1.6).
 */
export function admitVmCreate(object: StoredObject, decentralizedGate: boolean): void {
  const strategy = (object.spec as { runStrategy?: string } | undefined)?.runStrategy;
  if (strategy !== "WaitAsReceiver" || decentralizedGate) return;
  const message = `Invalid RunStrategy (${strategy}), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource`;
  throw new ApiError(422, "Invalid", `admission webhook "virtualmachine-validator.kubevirt.io" denied the request: ${message}`, { causes: [{ reason: "FieldValueInvalid", message, field: "spec.running" }] });
}

const POLICY_WEBHOOK = "migration-policy-validator.kubevirt.io";
/** KubeVirt v1.9.0's gate for `maxDowntimeMs` and `experimental.stallDetector` on a MigrationPolicy (Alpha). */
export const STALL_DETECTION_GATE = "MigrationStallDetection";

function featureGates(store: Store): readonly string[] {
  const kv = store.all("kubevirts")[0] as { spec?: { configuration?: { developerConfiguration?: { featureGates?: string[] } } } } | undefined;
  return kv?.spec?.configuration?.developerConfiguration?.featureGates ?? [];
}

/** A Kubernetes quantity's sign: -1, 0 or 1 (undefined when it is no quantity; the schema refuses those). */
function quantitySign(value: unknown): number | undefined {
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(String(value));
  if (!m) return undefined;
  return Number(m[2]) === 0 ? 0 : m[1] === "-" ? -1 : 1;
}

/**
 * KubeVirt v1.9.0's MigrationPolicy validator (`migrationpolicy-admitter.go`, CREATE and UPDATE):
 * negative `completionTimeoutPerGiB` or `bandwidthPerMigration` refused; `maxDowntimeMs` and
 * `experimental.stallDetector` may be set or changed only with the MigrationStallDetection feature
 * gate (an unchanged value passes on update). Causes are joined with ", " as
 * `webhooks.ToAdmissionResponse` joins them. Selectors are NOT checked: two policies with the same
 * selectors are both admitted (the user guide says "not allowed"; the code has no such check), and
 * virt-controller picks the one whose name sorts first (policies.ts). Not modelled: the range
 * checks of stallDetector's factors.
 */
export function admitPolicy(store: Store, object: StoredObject, old: StoredObject | undefined): void {
  const spec = (object.spec ?? {}) as { completionTimeoutPerGiB?: number; maxDowntimeMs?: number; bandwidthPerMigration?: unknown; experimental?: { stallDetector?: unknown } };
  const before = (old?.spec ?? {}) as typeof spec;
  const gateOn = featureGates(store).includes(STALL_DETECTION_GATE);
  const causes: { message: string; field: string }[] = [];
  if (spec.completionTimeoutPerGiB !== undefined && spec.completionTimeoutPerGiB < 0) causes.push({ message: "must not be negative", field: "spec.completionTimeoutPerGiB" });
  if (spec.maxDowntimeMs !== undefined && spec.maxDowntimeMs !== before.maxDowntimeMs && !gateOn) {
    causes.push({ message: `maxDowntimeMs cannot be modified without enabling the ${STALL_DETECTION_GATE} feature gate`, field: "spec.maxDowntimeMs" });
  }
  const stall = spec.experimental?.stallDetector;
  if (stall !== undefined && JSON.stringify(stall) !== JSON.stringify(before.experimental?.stallDetector) && !gateOn) {
    causes.push({ message: `experimental.stallDetector cannot be modified without enabling the ${STALL_DETECTION_GATE} feature gate`, field: "spec.experimental.stallDetector" });
  }
  if (spec.bandwidthPerMigration !== undefined && quantitySign(spec.bandwidthPerMigration) === -1) causes.push({ message: "must not be negative", field: "spec.bandwidthPerMigration" });
  if (causes.length === 0) return;
  const shown = causes.slice(0, 10).map((c) => c.message).join(", ") + (causes.length > 10 ? `, and ${causes.length - 10} more validation errors` : "");
  throw new ApiError(422, "Invalid", `admission webhook "${POLICY_WEBHOOK}" denied the request: ${shown}`, { causes: causes.map((c) => ({ reason: "FieldValueInvalid", ...c })) });
}

/**
 * KubeVirt v1.9.0's VirtualMachine validator on `spec.dataVolumeTemplates`
 * (`pkg/storage/admitters/data-volume-template.go`, `ValidateDataVolumeTemplate`, CREATE and
 * UPDATE): every template must be named by a `dataVolume` or `persistentVolumeClaim` volume of the
 * template, so renaming a DataVolume volume (a storage migration) must rename its template too.
 */
export function admitVmDataVolumeTemplates(object: StoredObject): void {
  const spec = (object.spec ?? {}) as { dataVolumeTemplates?: { metadata?: { name?: string } }[]; template?: { spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string }; dataVolume?: { name?: string } }[] } } };
  const volumes = spec.template?.spec?.volumes ?? [];
  const causes: { reason: string; message: string; field: string }[] = [];
  (spec.dataVolumeTemplates ?? []).forEach((template, index) => {
    const name = template.metadata?.name ?? "";
    const field = `spec.dataVolumeTemplate[${index}]`;
    if (name === "") causes.push({ reason: "FieldValueRequired", message: `'name' field must not be empty for DataVolumeTemplate entry ${field}.name.`, field: `${field}.name` });
    else if (!volumes.some((v) => v.persistentVolumeClaim?.claimName === name || v.dataVolume?.name === name)) {
      causes.push({ reason: "FieldValueRequired", message: `DataVolumeTemplate entry ${field} must be referenced in the VMI template's 'volumes' list`, field });
    }
  });
  if (causes.length === 0) return;
  throw new ApiError(422, "Invalid", `admission webhook "virtualmachine-validator.kubevirt.io" denied the request: ${causes.map((c) => c.message).join(", ")}`, { causes });
}
