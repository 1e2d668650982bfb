/**
 * Which adapter serves which profile platform. Each entry turns a resolved profile (secrets already
 * read from the environment or files) into a client; adapters are imported lazily so a profile
 * loads only the adapter it uses. A new adapter is one entry here.
 */
import { type ClientOptions, VmshiftClient, VmshiftError } from "@vmshift/core";
import type { RemoteAuthentication } from "@vmshift/hyperv";
import { availableTargets } from "./conformance-loader.ts";
import type { CliIo } from "./io.ts";
import type { ResolvedProfile } from "./profiles.ts";

/** Builds a client for a profile. */
export type PlatformFactory = (profile: ResolvedProfile, options: ClientOptions) => Promise<VmshiftClient>;

/** Reads typed settings, naming the profile and key in every error. */
export function settings(profile: ResolvedProfile) {
  const fail = (key: string, want: string): never => {
    throw new VmshiftError("INVALID_ARGUMENT", `profile ${profile.name}: ${key} must be ${want}`, { operation: "cli.profile" });
  };
  const s = profile.settings;
  return {
    string(key: string): string | undefined {
      const v = s[key];
      return v === undefined ? undefined : typeof v === "string" ? v : fail(key, "a string");
    },
    required(key: string): string {
      const v = this.string(key);
      return v === undefined ? fail(key, "set") : v;
    },
    oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
      const v = this.string(key);
      return v === undefined || (values as readonly string[]).includes(v) ? (v as T | undefined) : fail(key, `one of ${values.join(", ")}`);
    },
    bool(key: string): boolean | undefined {
      const v = s[key];
      return v === undefined ? undefined : typeof v === "boolean" ? v : fail(key, "true or false");
    },
    list(key: string): unknown[] | undefined {
      const v = s[key];
      return v === undefined ? undefined : Array.isArray(v) ? v : fail(key, "a list");
    },
  };
}

/** `{ key: value }` when value is defined, else `{}` (for exactOptionalPropertyTypes). */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Platform name → factory. */
export const PLATFORMS: Readonly<Record<string, PlatformFactory>> = {
  async simulator(profile, options) {
    const url = settings(profile).string("url");
    if (url !== undefined) {
      // A simulator served by `vmshift target serve simulator`: one world shared by every process.
      const { createRemoteSimulatorAdapter } = await import("@vmshift/simulator");
      return new VmshiftClient(createRemoteSimulatorAdapter({ url, ...opt("token", settings(profile).string("token")) }), options);
    }
    const { SimulatorWorld, createSimulatorAdapter } = await import("@vmshift/simulator");
    const { VirtualClock, systemClock } = await import("@vmshift/core");
    const clock = profile.settings["clock"] === "virtual" ? new VirtualClock() : systemClock;
    const world = new SimulatorWorld({ clock });
    return new VmshiftClient(createSimulatorAdapter(world), { ...options, clock });
  },

  async kubevirt(profile, options) {
    const { createKubevirtAdapter } = await import("@vmshift/kubevirt");
    const adapter = createKubevirtAdapter({ connection: kubevirtConnection(profile), ...opt("defaultNamespace", settings(profile).string("namespace")) });
    return new VmshiftClient(adapter, options);
  },

  async vsphere(profile, options) {
    const { createVsphereAdapter } = await import("@vmshift/vsphere");
    const adapter = createVsphereAdapter({ ...vsphereConnection(profile), ...opt("logger", options.logger) });
    return new VmshiftClient(adapter, options);
  },

  async nutanix(profile, options) {
    const { createNutanixAdapter } = await import("@vmshift/nutanix");
    const adapter = createNutanixAdapter({ ...nutanixConnection(profile), ...opt("logger", options.logger) });
    return new VmshiftClient(adapter, options);
  },

  async hyperv(profile, options) {
    const { createHypervAdapter } = await import("@vmshift/hyperv");
    const { runner, hosts } = await hypervRunner(profile);
    return new VmshiftClient(createHypervAdapter({ runner, ...opt("hosts", hosts) }), options);
  },

  async libvirt(profile, options) {
    const { createLibvirtAdapter } = await import("@vmshift/libvirt");
    const hosts = (settings(profile).list("hosts") ?? []) as { id: string; uri: string }[];
    return new VmshiftClient(createLibvirtAdapter({ hosts }), options);
  },
};

/** A kubevirt profile's connection: `kubeconfig`, `context`, `inCluster`, `insecureSkipTlsVerify`. Used by the adapter and by moves into KubeVirt. */
export function kubevirtConnection(profile: ResolvedProfile) {
  const s = settings(profile);
  return {
    ...opt("kubeconfigPath", s.string("kubeconfig")),
    ...opt("context", s.string("context")),
    ...opt("inCluster", s.bool("inCluster")),
    ...opt("insecureSkipTlsVerify", s.bool("insecureSkipTlsVerify")),
  };
}

/** A vsphere profile's connection: `url`, `username`, `password`, `thumbprint` | `ca` | `insecureSkipTlsVerify`. Used by the adapter and by moves from vSphere. */
export function vsphereConnection(profile: ResolvedProfile) {
  const s = settings(profile);
  return {
    url: s.required("url"),
    username: s.required("username"),
    password: s.required("password"),
    ...opt("thumbprint", s.string("thumbprint")),
    ...opt("ca", s.string("ca")),
    ...opt("insecureSkipTlsVerify", s.bool("insecureSkipTlsVerify")),
  };
}

/** A nutanix profile's connection: `url`, `apiKey` or `username`/`password`, `ca`, `insecureSkipTlsVerify`. Used by the adapter and by moves from Nutanix. */
export function nutanixConnection(profile: ResolvedProfile) {
  const s = settings(profile);
  const apiKey = s.string("apiKey");
  return {
    baseUrl: s.required("url"),
    auth: apiKey !== undefined ? { apiKey } : { username: s.required("username"), password: s.required("password") },
    ...opt("ca", s.string("ca")),
    ...opt("insecureSkipTlsVerify", s.bool("insecureSkipTlsVerify")),
  };
}

/**
 * The PowerShell runner a hyperv profile names (`executable`; WinRM `computerName` with
 * `username`/`password`/`useSsl`/`authentication`, or SSH `hostName` with `keyFilePath`) and its
 * `hosts`. Used by the adapter and by `vmshift move --from <hyperv profile>`.
 */
export async function hypervRunner(profile: ResolvedProfile): Promise<{ readonly runner: import("@vmshift/hyperv").PowerShellRunner; readonly hosts: string[] | undefined }> {
  const { createNodePowerShellRunner } = await import("@vmshift/hyperv");
  const s = settings(profile);
  const computerName = s.string("computerName");
  const hostName = s.string("hostName");
  const remote = computerName
    ? {
        computerName,
        ...opt("userName", s.string("username")),
        ...opt("password", s.string("password")),
        ...opt("useSsl", s.bool("useSsl")),
        ...opt("authentication", s.oneOf<RemoteAuthentication>("authentication", ["Default", "Kerberos", "Negotiate", "CredSSP"])),
      }
    : hostName
      ? { hostName, ...opt("userName", s.string("username")), ...opt("keyFilePath", s.string("keyFilePath")) }
      : undefined;
  const runner = createNodePowerShellRunner({ ...opt("executable", s.string("executable")), ...opt("remote", remote), secrets: profile.secrets });
  return { runner, hosts: s.list("hosts")?.map((h) => String(h)) };
}

/** A client and what must be released with it. */
export interface Connection {
  readonly client: VmshiftClient;
  close(): Promise<void>;
}

/**
 * A client for a profile; `NOT_SUPPORTED` for an unknown platform. A profile named
 * `target:<conformance target>` (e.g. `target:kubevirt-env`) connects to that target's environment,
 * so every command runs against every CI target.
 */
export async function connect(profile: ResolvedProfile, options: ClientOptions = {}, where: Pick<CliIo, "env" | "cwd"> = { env: process.env, cwd: process.cwd() }): Promise<Connection> {
  if (profile.platform === "target") return connectTarget(profile, where);
  const factory = PLATFORMS[profile.platform];
  if (!factory) {
    throw new VmshiftError("NOT_SUPPORTED", `profile ${profile.name}: unknown platform ${profile.platform} (known: ${Object.keys(PLATFORMS).join(", ")}, target)`, { operation: "cli.connect" });
  }
  const client = await factory(profile, options);
  return { client, close: () => client.close() };
}

async function connectTarget(profile: ResolvedProfile, io: Pick<CliIo, "env" | "cwd">): Promise<Connection> {
  const targets = await availableTargets(io);
  const name = String(profile.settings["target"]);
  const target = targets.find(name);
  if (!target) throw new VmshiftError("NOT_FOUND", `no conformance target ${name} (known: ${targets.all.map((t) => t.name).join(", ")})`, { operation: "cli.connect" });
  const availability = (await target.available?.()) ?? { ok: true as const };
  if (!availability.ok) throw new VmshiftError("CAPABILITY_UNAVAILABLE", `target ${name} cannot run here: ${availability.reason}`, { operation: "cli.connect" });
  const session = await target.open();
  return {
    client: session.client,
    async close() {
      await session.client.close().catch(() => undefined);
      await session.close();
      await target.dispose?.();
    },
  };
}
