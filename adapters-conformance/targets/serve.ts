/**
 * The repository's environments as long-running servers for `vmshift target serve <name>`: each
 * starts in this process, writes what its profile needs (kubeconfig, password file; mode 0600) into
 * the directory it is given, and returns the profile that reaches it. The CLI finds these through
 * this target module's `servers` export.
 */
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubevirtEnv } from "../kubevirt-env/index.ts";
import { startPrismServer } from "../prism-server/src/index.ts";

/** What a served environment hands back (the CLI's `ServedTarget`). */
export interface ServedEnvironment {
  readonly url: string;
  readonly profile: { readonly platform: string; readonly settings: Readonly<Record<string, unknown>> };
  close(): Promise<void>;
}

/** Starts one environment; files its profile refers to go into `dir`. */
export type EnvironmentServer = (options: { readonly dir: string; readonly port?: number }) => Promise<ServedEnvironment>;

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** kubevirt-env: the seeded cluster, a kubeconfig (bearer token, the server's CA) kubectl and vmshift both use. */
const kubevirtEnv: EnvironmentServer = async ({ dir, port }) => {
  const env = await KubevirtEnv.start(port === undefined ? {} : { port });
  const kubeconfig = join(dir, "kubevirt-env.kubeconfig");
  writePrivate(kubeconfig, env.kubeconfig());
  return {
    url: env.url,
    profile: { platform: "kubevirt", settings: { kubeconfig } },
    async close() {
      await env.close();
      rmSync(kubeconfig, { force: true });
    },
  };
};

/** nutanix-server: the Prism-like server with its seeded inventory and the admin user. */
const nutanixServer: EnvironmentServer = async ({ dir }) => {
  const server = await startPrismServer();
  const passwordFile = join(dir, "nutanix-server.password");
  writePrivate(passwordFile, "nutanix/4u");
  return {
    url: server.url,
    profile: { platform: "nutanix", settings: { url: server.url, username: "admin", password: { file: passwordFile } } },
    async close() {
      await server.close();
      rmSync(passwordFile, { force: true });
    },
  };
};

/** Servers by target name. */
export const servers: Readonly<Record<string, EnvironmentServer>> = {
  "kubevirt-env": kubevirtEnv,
  "nutanix-server": nutanixServer,
};
