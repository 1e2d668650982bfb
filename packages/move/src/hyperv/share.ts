/**
 * Where the mover reads a VHDX: a disk at `D:\VMs\web\web.vhdx` on host `HV-A` is reachable as
 * `\\HV-A\D$\VMs\web\web.vhdx` through the host's administrative share (a disk already on an SMB
 * share keeps its UNC path). The mover runs on Linux, so the caller says where those shares are
 * mounted here: a map from UNC prefixes to local directories (e.g. `\\HV-A\D$` → `/mnt/hv-a-d`,
 * mounted with `mount -t cifs`). Matching is case-insensitive, as Windows paths are.
 */
import { VmshiftError } from "@vmshift/core";

/** UNC prefix (`\\HV-A\D$`, or `\\` for every host) → local directory it is mounted at. */
export type ShareMap = Readonly<Record<string, string>>;

/** The UNC path of a host-local or UNC Windows path. */
export function uncPath(host: string, windowsPath: string): string {
  if (windowsPath.startsWith("\\\\")) return windowsPath;
  const m = /^([A-Za-z]):\\(.*)$/.exec(windowsPath);
  if (!m) throw new VmshiftError("NOT_SUPPORTED", `disk path ${JSON.stringify(windowsPath)} is neither a drive path nor a UNC path`, { adapter: "hyperv", operation: "move.openDisk" });
  return `\\\\${host}\\${m[1]!.toUpperCase()}$\\${m[2]}`;
}

/**
 * The local path of a UNC path through the longest matching prefix of `shares`; undefined when no
 * prefix matches. A path with `.` or `..` segments is refused (it could leave the mounted share).
 */
export function localPath(unc: string, shares: ShareMap): string | undefined {
  const segments = unc.slice(2).split("\\");
  if (segments.some((s) => s === "." || s === ".." || s.includes("/") || s.includes("\0"))) {
    throw new VmshiftError("INVALID_ARGUMENT", `disk path ${JSON.stringify(unc)} has a segment that is not a plain name`, { adapter: "hyperv", operation: "move.openDisk" });
  }
  const lower = unc.toLowerCase();
  let best: string | undefined;
  for (const prefix of Object.keys(shares)) {
    const p = prefix.replace(/\\+$/, "");
    const pl = p.toLowerCase();
    const matches = pl === "" || pl === "\\" ? true : lower === pl || lower.startsWith(`${pl}\\`);
    if (matches && (best === undefined || p.length > best.replace(/\\+$/, "").length)) best = prefix;
  }
  if (best === undefined) return undefined;
  const p = best.replace(/\\+$/, "");
  const rest = (p === "" || p === "\\" ? unc.slice(2) : unc.slice(p.length + 1)).split("\\").filter(Boolean);
  return [shares[best]!.replace(/\/+$/, ""), ...rest].join("/");
}
