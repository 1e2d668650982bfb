/**
 * The kind lane's feature cases, run by run.sh after the conformance suite against KubeVirt v1.9.0
 * (VMSHIFT_KUBECONFIG): what the suite cannot set up on its own.
 *
 * - policy: policies.yaml (applied by run.sh) holds two MigrationPolicies with identical selectors;
 *   KubeVirt admitted both, and the adapter's `migrationConfiguration()` predicts the one whose name
 *   sorts first. A migration of vmshift-cirros-b must record that one in
 *   `migrationState.migrationPolicyName` (virt-controller's matchPolicy).
 * - tuned: a live migration of vmshift-cirros-a with bandwidth, auto-converge and max downtime (the
 *   CR enables MigrationStallDetection) goes through vmshift's policy; the VMIM's
 *   `migrationConfiguration` must carry the values.
 * - storage: vmshift-cirros-data's claim moves to the other StorageClass (standard ↔ vmshift-local-b).
 * - cross-cluster: a decentralized live migration of vmshift-cirros-a into the namespace
 *   vmshift-receiver of the same cluster (receiver.yaml says why not a second kind cluster).
 *
 * Prints one line per case; exits 1 when any fails.
 */
import { execFileSync } from "node:child_process";
import { VmshiftClient, memoryLogger, systemClock } from "@vmshift/core";
import { createKubevirtAdapter, policyName } from "@vmshift/kubevirt";

const kubeconfigPath = process.env["VMSHIFT_KUBECONFIG"];
if (!kubeconfigPath) {
  console.error("cases.ts: set VMSHIFT_KUBECONFIG to the lane's kubeconfig (run.sh does)");
  process.exit(2);
}
/** The receiving namespace of the cross-cluster case (receiver.yaml). */
export const RECEIVER_NAMESPACE = "vmshift-receiver";
/** The policy KubeVirt must pick among policies.yaml's two (the name that sorts first). */
export const EXPECTED_POLICY = "vmshift-case-aa";
const WAIT = { maxWaitMs: 20 * 60_000 };

const kubectl = (...args: string[]): any => JSON.parse(execFileSync("kubectl", ["--kubeconfig", kubeconfigPath, ...args, "-o", "json"], { encoding: "utf8" }));
const adapter = createKubevirtAdapter({ connection: { kubeconfigPath }, clusters: { receiver: { connection: { kubeconfigPath }, namespace: RECEIVER_NAMESPACE } } });
const client = new VmshiftClient(adapter, { logger: memoryLogger() });
const ctx = { clock: systemClock, logger: memoryLogger() };
const vmim = (taskId: string) => {
  const [namespace, name] = taskId.split("/");
  return kubectl("-n", namespace!, "get", "virtualmachineinstancemigrations.kubevirt.io", name!);
};
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

const cases: Record<string, () => Promise<string>> = {
  async policy() {
    // A label an earlier tuned start (the suite's) left would select vmshift's own policy: remove it.
    kubectl("-n", "default", "label", "virtualmachineinstances.kubevirt.io", "vmshift-cirros-b", "migrations.vmshift.io/policy-");
    const predicted = await adapter.migrationConfiguration("default/vmshift-cirros-b", ctx);
    check(predicted.policyName === EXPECTED_POLICY, `the adapter predicts ${predicted.policyName ?? "no policy"}, expected ${EXPECTED_POLICY}`);
    const task = await client.startMigration({ vmId: "default/vmshift-cirros-b" });
    const result = await task.wait(WAIT);
    check(result.outcome === "completed", `outcome ${result.outcome}`);
    const state = vmim(task.id).status?.migrationState ?? {};
    check(state.migrationPolicyName === EXPECTED_POLICY, `KubeVirt applied ${state.migrationPolicyName ?? "no policy"}`);
    check(state.migrationConfiguration?.bandwidthPerMigration === "128Mi", `bandwidthPerMigration ${state.migrationConfiguration?.bandwidthPerMigration}`);
    return `KubeVirt applied ${EXPECTED_POLICY} of two identical-selector policies, as predicted`;
  },
  async tuned() {
    const task = await client.startMigration({ vmId: "default/vmshift-cirros-a", bandwidthBytesPerSecond: 256 * 2 ** 20, allowAutoConverge: true, maxDowntimeMs: 500 });
    const result = await task.wait(WAIT);
    check(result.outcome === "completed", `outcome ${result.outcome}`);
    const state = vmim(task.id).status?.migrationState ?? {};
    const expected = policyName({ bandwidthPerMigration: "256Mi", allowAutoConverge: true, maxDowntimeMs: 500 });
    check(state.migrationPolicyName === expected, `policy ${state.migrationPolicyName}, expected ${expected}`);
    const c = state.migrationConfiguration ?? {};
    check(c.bandwidthPerMigration === "256Mi" && c.allowAutoConverge === true && c.maxDowntimeMs === 500, `migrationConfiguration ${JSON.stringify(c)}`);
    return `${expected}: 256Mi, auto-converge, maxDowntimeMs 500 in the VMIM's migrationConfiguration`;
  },
  async storage() {
    const vm = kubectl("-n", "default", "get", "virtualmachines.kubevirt.io", "vmshift-cirros-data");
    const claim = vm.spec.template.spec.volumes.find((v: { name: string }) => v.name === "datadisk").persistentVolumeClaim.claimName as string;
    const from = kubectl("-n", "default", "get", "persistentvolumeclaims", claim).spec.storageClassName as string;
    const to = from === "vmshift-local-b" ? "standard" : "vmshift-local-b";
    const task = await client.startMigration({ vmId: "default/vmshift-cirros-data", targetStorageId: to });
    const result = await task.wait(WAIT);
    check(result.outcome === "completed", `outcome ${result.outcome}`);
    const vmi = kubectl("-n", "default", "get", "virtualmachineinstances.kubevirt.io", "vmshift-cirros-data");
    const now = vmi.spec.volumes.find((v: { name: string }) => v.name === "datadisk").persistentVolumeClaim.claimName as string;
    check(now !== claim, `the VMI still uses ${claim}`);
    const cls = kubectl("-n", "default", "get", "persistentvolumeclaims", now).spec.storageClassName;
    check(cls === to, `claim ${now} is of ${cls}, expected ${to}`);
    return `datadisk ${claim} (${from}) → ${now} (${to})`;
  },
  async "cross-cluster"() {
    const task = await client.startMigration({ vmId: "default/vmshift-cirros-a", targetClusterId: "receiver" });
    const result = await task.wait(WAIT);
    check(result.outcome === "completed", `outcome ${result.outcome}`);
    const vmi = kubectl("-n", RECEIVER_NAMESPACE, "get", "virtualmachineinstances.kubevirt.io", "vmshift-cirros-a");
    check(vmi.status?.phase === "Running", `receiving VMI phase ${vmi.status?.phase}`);
    return `vmshift-cirros-a runs in ${RECEIVER_NAMESPACE} on ${vmi.status?.nodeName}`;
  },
};

let failed = 0;
for (const [name, run] of Object.entries(cases)) {
  try {
    console.log(`PASS ${name}: ${await run()}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
