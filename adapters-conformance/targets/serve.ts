/**
 * The repository's environments as long-running servers for `vmshift target serve <name>`: each
 * starts in this process, writes what its profile needs (kubeconfig, password file, wrapper script)
 * through the CLI's `writePrivate` (mode 0600, removed by the CLI when it stops), and returns the
 * profile that reaches it. The CLI finds these through this target module's `servers` export.
 */
import { CdiEnvironment } from "../kubevirt-env/cdi.ts";
import { KubevirtEnv } from "../kubevirt-env/index.ts";
import { STAND_IN_PWSH, StandInWorld } from "../hyperv-pwsh/src/world.ts";
import { startPrismServer } from "../prism-server/src/index.ts";
import { labHosts, openLibvirtLab } from "./libvirt-local.ts";
import { startVcsim, vcsimMissing } from "./vsphere-launcher.ts";
import { shellQuote } from "../../test-support/shell.ts";

/** What a served environment hands back (the CLI's `ServedTarget`). */
export interface ServedEnvironment {
  readonly url: string;
  readonly profile: { readonly platform: string; readonly settings: Readonly<Record<string, unknown>> };
  close(): Promise<void>;
}

/** What the CLI gives a server (the CLI's `TargetServerOptions`). */
export interface EnvironmentServerOptions {
  /** Where files the profile refers to go. */
  readonly dir: string;
  readonly port?: number;
  /** Writes `text` into `dir` as `name`, owner-only (`executable`: 0700, else 0600); returns its path. */
  writePrivate(name: string, text: string, options?: { readonly executable?: boolean }): string;
}

/** Starts one environment. */
export type EnvironmentServer = (options: EnvironmentServerOptions) => Promise<ServedEnvironment>;

/**
 * kubevirt-env: the seeded cluster, a kubeconfig (bearer token, the server's CA) kubectl and
 * vmshift both use, and CDI's upload proxy (`uploadProxyUrl`, its CA in a file) for moves into it.
 */
const kubevirtEnv: EnvironmentServer = async ({ port, writePrivate }) => {
  const env = await KubevirtEnv.start(port === undefined ? {} : { port });
  const cdi = await CdiEnvironment.start(env);
  const kubeconfig = writePrivate("kubevirt-env.kubeconfig", env.kubeconfig());
  const uploadProxyCa = writePrivate("kubevirt-env.cdi-ca.pem", env.tls.cert);
  return {
    url: env.url,
    profile: { platform: "kubevirt", settings: { kubeconfig, uploadProxyUrl: cdi.uploadProxyUrl, uploadProxyCa: { file: uploadProxyCa } } },
    async close() {
      await cdi.close();
      await env.close();
    },
  };
};

/** nutanix-server: the Prism-like server with its seeded inventory and the admin user. */
const nutanixServer: EnvironmentServer = async ({ writePrivate }) => {
  const server = await startPrismServer();
  const passwordFile = writePrivate("nutanix-server.password", "nutanix/4u");
  return {
    url: server.url,
    profile: { platform: "nutanix", settings: { url: server.url, username: "admin", password: { file: passwordFile } } },
    close: () => server.close(),
  };
};

/**
 * vsphere-vcsim: vmshift's vcsim launcher (timed vMotion tasks), verified against its self-signed
 * certificate (`ca`, a PEM file); govc reaches it with the same URL, user, password and
 * `GOVC_TLS_CA_CERTS`.
 */
const vsphereVcsim: EnvironmentServer = async ({ port, writePrivate }) => {
  const missing = vcsimMissing();
  if (missing !== undefined) throw new Error(missing);
  const sim = await startVcsim(["-migrate-duration", "5s", "-migrate-steps", "10", ...(port === undefined ? [] : ["-l", `127.0.0.1:${port}`])]);
  const passwordFile = writePrivate("vsphere-vcsim.password", "vcsim-password");
  const caFile = writePrivate("vsphere-vcsim.ca.pem", sim.caPem);
  return {
    url: sim.url,
    profile: { platform: "vsphere", settings: { url: sim.url, username: "vmshift", password: { file: passwordFile }, ca: { file: caFile } } },
    close: () => sim.stop(),
  };
};

/**
 * hyperv-transcripts: the stand-in `pwsh` with its Hyper-V model (four hosts, a management server
 * reached over WinRM with credentials). The profile's `executable` is a wrapper that points the
 * stand-in at this server's world; every later CLI run shares that world.
 */
const HYPERV_HOSTS = ["HV-A", "HV-B", "HV-C", "HV-D"];
const HYPERV_PASSWORD = "stand-in-Secret-7";
const hypervTranscripts: EnvironmentServer = async ({ writePrivate }) => {
  const world = new StandInWorld();
  const env = world.env({ VMSHIFT_PWSH_EXPECT_PASSWORD: HYPERV_PASSWORD });
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const executable = writePrivate("hyperv-pwsh", ["#!/bin/sh", ...exports, `exec ${shellQuote(STAND_IN_PWSH)} "$@"`, ""].join("\n"), { executable: true });
  const passwordFile = writePrivate("hyperv-transcripts.password", HYPERV_PASSWORD);
  return {
    url: `pwsh:${executable}`,
    profile: {
      platform: "hyperv",
      settings: { executable, computerName: "MGMT-01", username: "LAB\\vmshift", password: { file: passwordFile }, authentication: "Kerberos", hosts: HYPERV_HOSTS },
    },
    async close() {
      world.dispose();
    },
  };
};

/**
 * libvirt-local: the lab's two libvirt daemons on this machine and its running TCG guest (booted
 * when none is ticking). The lab is held for this server until it stops; the daemons keep running.
 */
const libvirtLocal: EnvironmentServer = async () => {
  const lab = await openLibvirtLab();
  const hosts = labHosts();
  return {
    url: hosts.map((h) => h.uri).join(","),
    profile: { platform: "libvirt", settings: { hosts } },
    close: () => lab.close(),
  };
};

/** Servers by target name. */
export const servers: Readonly<Record<string, EnvironmentServer>> = {
  "kubevirt-env": kubevirtEnv,
  "nutanix-server": nutanixServer,
  "vsphere-vcsim": vsphereVcsim,
  "hyperv-transcripts": hypervTranscripts,
  "libvirt-local": libvirtLocal,
};
