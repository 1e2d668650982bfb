/**
 * kubevirt-env as a move target, for tests: the API server, CDI (upload proxy), optionally the
 * kubelet (transfer and conversion pods), a client of the API and a private directory — started
 * together, closed together (the setup every move test into kubevirt-env shares).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { CdiEnvironment } from "./cdi.ts";
import { KubevirtEnv } from "./env.ts";
import { Kubelet } from "./kubelet.ts";

/** A running cluster for move tests. */
export interface MoveCluster {
  readonly env: KubevirtEnv;
  readonly cdi: CdiEnvironment;
  /** Present when started with `kubelet: true`. */
  readonly kubelet: Kubelet | undefined;
  /** A client with the environment's kubeconfig. */
  readonly api: HttpKubeTransport;
  /** A private temporary directory, removed by `close`. */
  readonly dir: string;
  /** Writes the environment's kubeconfig into `dir` (0600) and returns its path. */
  writeKubeconfig(): string;
  close(): Promise<void>;
}

/** Starts the environment, CDI, the kubelet when asked, a client and a directory named `<dirPrefix>…`. */
export async function startMoveCluster(options: { readonly dirPrefix: string; readonly kubelet?: boolean }): Promise<MoveCluster> {
  const env = await KubevirtEnv.start();
  const cdi = await CdiEnvironment.start(env);
  const kubelet = options.kubelet ? Kubelet.start(env, cdi) : undefined;
  const api = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env.kubeconfig() }) });
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  return {
    env,
    cdi,
    kubelet,
    api,
    dir,
    writeKubeconfig() {
      const file = join(dir, "kubeconfig");
      writeFileSync(file, env.kubeconfig(), { mode: 0o600 });
      return file;
    },
    async close() {
      api.close?.();
      await kubelet?.close();
      await cdi.close();
      await env.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something accepts TCP connections at host:port (a transfer pod's NBD export). */
export function acceptsTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}
