/**
 * A vSphere profile as the source of `vmshift move` (cold): the profile's `url`, `username`,
 * `password`, `thumbprint` or `ca` or `insecureSkipTlsVerify` (as for migrations); `<vm>` is the
 * VM's moref id (`vm-42`, as `vmshift vms` lists it). Disks come through ExportVm leases, downloaded
 * by `@vmshift/vsphere`'s move API with the session cookie, which never leaves it.
 */
import { UsageError } from "../command.ts";
import type { ResolvedProfile } from "../profiles.ts";

/** The source, how messages name it, and what to release when the move ends. */
export interface VsphereMoveSide {
  readonly id: string;
  readonly source: import("@vmshift/move").MoveSource;
  close(): Promise<void>;
}

/** The vSphere move source of a profile; a usage error names a missing or malformed setting. */
export async function vsphereMoveSide(profile: ResolvedProfile): Promise<VsphereMoveSide> {
  const s = profile.settings;
  const text = (key: string, required: boolean): string | undefined => {
    const v = s[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || v === "") throw new UsageError(`profile ${profile.name}: ${key} must be a non-empty string`);
    return v;
  };
  const insecure = s["insecureSkipTlsVerify"];
  if (insecure !== undefined && typeof insecure !== "boolean") throw new UsageError(`profile ${profile.name}: insecureSkipTlsVerify must be true or false`);
  const thumbprint = text("thumbprint", false);
  const ca = text("ca", false);
  const [{ createVsphereMoveApi }, { vsphereMoveSource }] = await Promise.all([import("@vmshift/vsphere"), import("@vmshift/move")]);
  const api = createVsphereMoveApi({
    url: text("url", true)!,
    username: text("username", true)!,
    password: text("password", true)!,
    ...(thumbprint === undefined ? {} : { thumbprint }),
    ...(ca === undefined ? {} : { ca }),
    ...(insecure === undefined ? {} : { insecureSkipTlsVerify: insecure }),
  });
  return { id: profile.name, source: vsphereMoveSource({ api, hostId: profile.name }), close: () => api.close() };
}
