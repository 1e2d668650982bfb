/** Turns the preflight script's report into vmshift checks. Pure: no I/O. */
import type { CheckCategory, ErrorCode, PreflightCheck } from "@vmshift/core";
import { Reader, asArray } from "./psjson.ts";
import { type HvHost, parseHost } from "./resources/host.ts";
import { type HvVm, parseVm, powerStateOf, sameHost } from "./resources/vm.ts";
import type { RemoteDescription } from "./transport.ts";

/** What the preflight script reported. */
export interface PreflightReportData {
  readonly vm: HvVm;
  readonly source: HvHost;
  readonly target: HvHost | undefined;
  readonly targetError: string | undefined;
  readonly incompatibilities: readonly { readonly messageId: number; readonly message: string }[];
  readonly compareError: string | undefined;
  readonly runsOnSource: boolean;
  /** msDS-AllowedToDelegateTo of the source computer account; undefined when it could not be read. */
  readonly delegation: readonly string[] | undefined;
  /** undefined: not checked or unknown. */
  readonly storagePathExists: boolean | undefined;
}

/** Validates the script's data; `undefined` when the VM was not found. */
export function parsePreflight(data: unknown): PreflightReportData | undefined {
  const r = new Reader(data, "preflight");
  if (r.raw("vm") === null || r.raw("vm") === undefined) return undefined;
  const target = r.raw("target");
  const delegation = r.raw("delegation");
  const exists = r.raw("storagePathExists");
  return {
    vm: parseVm(r.raw("vm")),
    source: parseHost(r.raw("source")),
    target: target === null || target === undefined ? undefined : parseHost(target),
    targetError: r.optionalString("targetError"),
    incompatibilities: r.array("incompatibilities").map((i) => {
      const ir = new Reader(i, "incompatibility");
      return { messageId: ir.optionalNumber("messageId") ?? 0, message: ir.optionalString("message") ?? "" };
    }),
    compareError: r.optionalString("compareError"),
    runsOnSource: r.boolean("runsOnSource"),
    delegation: delegation === null || delegation === undefined ? undefined : asArray(delegation).map(String),
    storagePathExists: typeof exists === "boolean" ? exists : undefined,
  };
}

/**
 * Compare-VM incompatibility → category. Message ids are not documented as a list, so the
 * category comes from the message text (processor, memory, switch/network, disk/storage/path,
 * device); anything else is `compatibility`.
 */
export function incompatibilityCategory(message: string): CheckCategory {
  if (/processor|cpu|compatib.*version|configuration version/i.test(message)) return "compatibility";
  if (/memory|RAM\b/i.test(message)) return "capacity";
  if (/switch|network|adapter|VLAN/i.test(message)) return "network";
  if (/disk|storage|\.vhdx?|path|file|folder|space/i.test(message)) return "storage";
  if (/device|passthrough|pass-through|GPU|DDA|USB|SR-IOV|TPM/i.test(message)) return "device";
  if (/checkpoint|snapshot|state|saved/i.test(message)) return "state";
  return "compatibility";
}

/** Inputs of {@link preflightChecks}. */
export interface PreflightInput {
  readonly report: PreflightReportData;
  readonly targetHost: string;
  readonly mode: "live" | "cold";
  readonly storagePath?: string;
  readonly remote: RemoteDescription | undefined;
}

const MIGRATION_SERVICE = "microsoft virtual system migration service";

/** The checks, errors first in discovery order. */
export function preflightChecks(input: PreflightInput): PreflightCheck[] {
  const { report, targetHost, mode } = input;
  const checks: PreflightCheck[] = [];
  const add = (id: string, category: CheckCategory, severity: PreflightCheck["severity"], message: string, native?: unknown) =>
    checks.push({ id, category, severity, message, ...(native === undefined ? {} : { native }) });
  const source = report.source;
  const target = report.target;

  if (sameHost(report.vm.ownerNode ?? report.vm.computerName, targetHost)) add("vm.alreadyOnTarget", "state", "error", `the VM already runs on ${targetHost}`);
  if (mode === "live" && powerStateOf(report.vm.state) !== "running") add("vm.notRunning", "state", "error", `a live migration needs a running VM; it is ${report.vm.state}`, { state: report.vm.state });
  if (!source.migrationEnabled) add("hyperv.source.migrationDisabled", "policy", "error", `live migration is disabled on the source host ${source.name}: run Enable-VMMigration there`);
  if (!target) {
    add("hyperv.target.unreachable", "network", "error", `the target host ${targetHost} could not be read: ${report.targetError ?? "unknown error"}`);
  } else {
    if (!target.migrationEnabled) add("hyperv.target.migrationDisabled", "policy", "error", `incoming migrations are disabled on ${target.name}: run Enable-VMMigration there`);
    if (target.nodeState !== undefined && target.nodeState !== "Up") add("host.maintenance", "state", "error", `cluster node ${target.name} is ${target.nodeState}`);
    const need = report.vm.memoryStartupBytes;
    if (need !== undefined && target.freeMemoryBytes !== undefined && target.freeMemoryBytes < need) {
      add("host.memory", "capacity", "error", `${target.name} has ${target.freeMemoryBytes} bytes of free memory, the VM needs ${need}`, { freeMemoryBytes: target.freeMemoryBytes, memoryStartupBytes: need });
    }
    if (source.authenticationType !== target.authenticationType) {
      add("hyperv.authenticationMismatch", "policy", "warning", `the hosts use different migration authentication (${source.authenticationType} vs ${target.authenticationType})`);
    }
  }
  for (const i of report.incompatibilities) {
    add(`hyperv.compare.${i.messageId}`, incompatibilityCategory(i.message), "error", i.message || `Compare-VM incompatibility ${i.messageId}`, i);
  }
  if (report.compareError !== undefined) add("hyperv.compare.failed", "compatibility", "warning", `Compare-VM could not run: ${report.compareError}`);

  if (!report.runsOnSource) doubleHop(input, add);
  if (report.vm.isClustered) clusterRemoting(input, add);

  if (input.storagePath !== undefined) {
    if (report.storagePathExists === false) add("hyperv.storagePath.missing", "storage", "error", `the destination storage path does not exist on ${targetHost}`, { storagePath: input.storagePath });
    else if (report.storagePathExists === undefined) add("hyperv.storagePath.unknown", "storage", "warning", `could not check the destination storage path on ${targetHost}`);
  }
  if (!checks.some((c) => c.severity === "error")) add("hyperv.ready", "state", "info", `${report.vm.name} can move to ${targetHost} as far as Hyper-V reports`);
  return checks;
}

/**
 * Move-ClusterVirtualMachineRole does not run in a remote session without CredSSP (Microsoft's
 * documentation of the cmdlet: running it remotely needs CredSSP authentication on the server):
 * a clustered VM moved through WinRM with another authentication, or through SSH, fails there.
 */
function clusterRemoting(input: PreflightInput, add: (id: string, c: CheckCategory, s: PreflightCheck["severity"], m: string, n?: unknown) => void): void {
  const remote = input.remote;
  if (remote === undefined || remote.authentication === "CredSSP") return;
  const how = remote.via === "ssh" ? "SSH remoting" : `WinRM with ${remote.authentication ?? "Default"} authentication`;
  add(
    "hyperv.cluster.credssp",
    "policy",
    "error",
    `${input.report.vm.name} is a clustered VM, moved with Move-ClusterVirtualMachineRole, which cannot run remotely without CredSSP; this session reaches ${remote.host} over ${how}. ` +
      `Fix: on this machine Enable-WSManCredSSP -Role Client -DelegateComputer ${remote.host}, on ${remote.host} Enable-WSManCredSSP -Role Server, and connect with authentication 'CredSSP' (or run vmshift on a cluster node)`,
    { via: remote.via, authentication: remote.authentication ?? null },
  );
}

function doubleHop(input: PreflightInput, add: (id: string, c: CheckCategory, s: PreflightCheck["severity"], m: string, n?: unknown) => void): void {
  const { report, targetHost } = input;
  const why = `the move is started from another machine than the source host ${report.source.name}, so the source must authenticate to ${targetHost} with your identity (the double hop)`;
  if (report.source.authenticationType === "CredSSP") {
    if (input.remote?.authentication !== "CredSSP") {
      add("hyperv.doubleHop.credssp", "policy", "error", `${why}; the hosts use CredSSP, which only works when you are logged on to the source or connect to it with -Authentication CredSSP. Connect with authentication 'CredSSP' or switch the hosts to Kerberos with constrained delegation`);
    }
    return;
  }
  if (report.delegation === undefined) {
    add("hyperv.doubleHop.unknown", "policy", "warning", `${why}; Kerberos constrained delegation could not be read (no ActiveDirectory module): make sure ${report.source.name}'s computer account may delegate 'Microsoft Virtual System Migration Service' and 'cifs' to ${targetHost}`);
    return;
  }
  const short = targetHost.toLowerCase().split(".")[0]!;
  const allowed = (service: string) =>
    report.delegation!.some((entry) => {
      const [svc, host] = entry.toLowerCase().split("/");
      return svc === service && host !== undefined && host.split(".")[0] === short;
    });
  if (!allowed(MIGRATION_SERVICE)) {
    add("hyperv.doubleHop.kerberos", "policy", "error", `${why}; ${report.source.name}'s computer account is not trusted to delegate 'Microsoft Virtual System Migration Service' to ${targetHost} (Kerberos constrained delegation)`, { delegation: report.delegation });
  }
  if (input.storagePath !== undefined && !allowed("cifs")) {
    add("hyperv.doubleHop.cifs", "policy", "error", `${why}; moving storage also needs delegation of 'cifs' to ${targetHost}`, { delegation: report.delegation });
  }
}


/**
 * The error a blocking check becomes when a cold migration is refused before the VM is stopped
 * (the VM stays untouched). Processor compatibility does not block a cold move (the VM boots
 * fresh on the target); everything else that preflight marks `error` does.
 */
export function coldRefusal(checks: readonly PreflightCheck[]): { code: ErrorCode; check: PreflightCheck } | undefined {
  const blocking = checks.find((c) => c.severity === "error" && c.category !== "compatibility" && c.id !== "vm.notRunning");
  if (!blocking) return undefined;
  const code: ErrorCode =
    blocking.category === "capacity" ? "INSUFFICIENT_RESOURCES"
    : blocking.category === "device" ? "INCOMPATIBLE"
    : blocking.category === "network" ? "TRANSPORT"
    : blocking.category === "storage" ? "INVALID_ARGUMENT"
    : blocking.id.startsWith("hyperv.doubleHop.") || blocking.id === "hyperv.cluster.credssp" ? "PERMISSION_DENIED"
    : "INVALID_STATE";
  return { code, check: blocking };
}
