/**
 * The `kubevirt-fixtures` target: the KubeVirt adapter against nock replays of recorded REST
 * exchanges (packages/kubevirt/test/fixtures/<scenario>/exchanges.json, see their SOURCE.md).
 * No server runs; each session gets its own fake host name, the controls only tell the replay
 * which recordings still fit, and `locateVm` answers with where the environment had the VM when the
 * recorded scenario read it back. The budget is the environment's, enforced.
 */
import { VmshiftClient } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { FIXTURE_FOLLOW, fixtureRequestIds } from "../kubevirt-env/record-fixtures.ts";
import { Replayer, loadRecordings } from "../kubevirt-env/replay.ts";
import { replayControls } from "./fixtures.ts";
import type { ConformanceTarget } from "../src/target.ts";
import { ENV_ADAPTER_TUNING, KUBEVIRT_ENV_BUDGET, KUBEVIRT_ENV_PLATFORM, envSubjects } from "./kubevirt-env.ts";

let sessions = 0;

/** A kubeconfig for a fixture host; the token is a placeholder, never a credential. */
function fixtureKubeconfig(server: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fixtures",
    "  cluster:",
    `    server: ${server}`,
    "users:",
    "- name: fixtures",
    "  user:",
    "    token: placeholder-not-a-credential",
    "contexts:",
    "- name: fixtures",
    "  context: {cluster: fixtures, user: fixtures}",
    "current-context: fixtures",
    "",
  ].join("\n");
}

export const kubevirtFixturesTarget: ConformanceTarget = {
  name: "kubevirt-fixtures",
  adapter: "kubevirt",
  description: "@vmshift/kubevirt against nock replays of exchanges synthesized from the KubeVirt API environment",
  platform: { ...KUBEVIRT_ENV_PLATFORM, name: `recorded exchanges of ${KUBEVIRT_ENV_PLATFORM.name}` },
  budget: KUBEVIRT_ENV_BUDGET,
  async available() {
    return loadRecordings().length > 0 ? { ok: true } : { ok: false, reason: "no fixtures under packages/kubevirt/test/fixtures (run node adapters-conformance/kubevirt-env/record-fixtures.ts)" };
  },
  async open() {
    const server = `https://kubevirt-fixtures-${++sessions}.test:6443`;
    const replay = new Replayer(server, loadRecordings());
    const ids = fixtureRequestIds();
    const connect = () => new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: fixtureKubeconfig(server) }, ...ENV_ADAPTER_TUNING }), { requestIdGenerator: ids, follow: FIXTURE_FOLLOW });
    const clients = [connect()];
    return {
      client: clients[0]!,
      subjects: envSubjects(),
      controls: {
        ...replayControls(
          replay,
          () => {
            const client = connect();
            clients.push(client);
            return client;
          },
          () => replay.requestCount,
        ),
        // Where the environment had the VM when the recorded scenario read it back (the store's state, recorded with the exchanges).
        locateVm: async (vmId) => replay.locate(vmId),
      },
      absent: {
        migrationTuning: "a replay: the recordings keep where the VM was, not the platform's record of a migration's tuning (kubevirt-env runs the tuning.* scenarios)",
        storageVm: "a replay: no storage migration was recorded (kubevirt-env runs storage.live-to-storage)",
        targetCluster: "a replay: recordings are of one cluster (kubevirt-env, paired with a second environment, runs cross-cluster.live)",
      },
      async close() {
        await Promise.all(clients.map((c) => c.close()));
        replay.close();
      },
    };
  },
};
