/**
 * A Hyper-V profile as the source of `vmshift move`: the profile's PowerShell endpoint (as for
 * migrations: `executable`, `computerName`/`hostName`, credentials, `hosts`) and `shares`, where
 * the hosts' administrative shares are mounted on this machine — the mover reads each VHDX in
 * place through them, e.g. `shares: { '\\HV-A\D$': /mnt/hv-a-d }` (UNC prefix → local directory).
 * `<vm>` is the VM's id (GUID).
 */
import { UsageError } from "../command.ts";
import { hypervRunner } from "../platforms.ts";
import type { ResolvedProfile } from "../profiles.ts";

/** The source, how messages name it, and what to release when the move ends. */
export interface HypervMoveSide {
  readonly id: string;
  readonly source: import("@vmshift/move").MoveSource;
  close(): Promise<void>;
}

/** Reads the profile's `shares` (UNC prefix → local directory); a usage error names what is wrong. */
export function sharesOf(profile: ResolvedProfile): Record<string, string> {
  const raw = profile.settings["shares"];
  const example = "shares: { '\\\\HV-A\\D$': /mnt/hv-a-d }";
  if (raw === undefined) throw new UsageError(`profile ${profile.name}: a move from Hyper-V reads the VHDX files through the hosts' administrative shares mounted here: set ${example}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UsageError(`profile ${profile.name}: shares must map UNC prefixes to local directories, e.g. ${example}`);
  const out: Record<string, string> = {};
  for (const [prefix, dir] of Object.entries(raw)) {
    if (!prefix.startsWith("\\\\")) throw new UsageError(`profile ${profile.name}: shares key ${JSON.stringify(prefix)} is not a UNC prefix (\\\\host\\share)`);
    if (typeof dir !== "string" || !dir.startsWith("/")) throw new UsageError(`profile ${profile.name}: shares ${JSON.stringify(prefix)} must name an absolute local directory`);
    out[prefix] = dir;
  }
  return out;
}

/** The Hyper-V move source of a profile. */
export async function hypervMoveSide(profile: ResolvedProfile): Promise<HypervMoveSide> {
  const shares = sharesOf(profile);
  const [{ runner, hosts }, { hypervMoveSource }] = await Promise.all([hypervRunner(profile), import("@vmshift/move")]);
  return { id: profile.name, source: hypervMoveSource({ runner, shares, hostId: profile.name, ...(hosts === undefined ? {} : { hosts }) }), close: () => runner.close() };
}
