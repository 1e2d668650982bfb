/**
 * The extent lines of a VMDK text descriptor (VMware "Virtual Disk Format 5.0", §"The Descriptor
 * File"): `<access> <size in sectors> <type> "<file name>" [<offset in sectors>]`, types FLAT and
 * VMFS being raw extents (a guest offset is a file offset), SPARSE/VMFSSPARSE/SESPARSE grain-mapped,
 * ZERO no file. Pure.
 */

/** One extent of a descriptor. */
export interface VmdkExtent {
  readonly access: string;
  readonly sectors: number;
  readonly type: string;
  /** Relative to the descriptor's directory; absent for ZERO extents. */
  readonly file?: string;
  readonly offsetSectors: number;
}

/** A parsed descriptor: `createType` and the extents; `undefined` when `text` is not a descriptor. */
export function parseVmdkDescriptor(text: string): { readonly createType?: string; readonly extents: readonly VmdkExtent[] } | undefined {
  if (!text.startsWith("# Disk DescriptorFile")) return undefined;
  const extents: VmdkExtent[] = [];
  let createType: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const ct = /^createType\s*=\s*"([^"]*)"/.exec(line);
    if (ct) createType = ct[1];
    const m = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/.exec(line);
    if (m) extents.push({ access: m[1]!, sectors: Number(m[2]), type: m[3]!, ...(m[4] === undefined ? {} : { file: m[4] }), offsetSectors: Number(m[5] ?? 0) });
  }
  return { ...(createType === undefined ? {} : { createType }), extents };
}

/**
 * The raw file of a descriptor whose guest offsets are file offsets (one FLAT or VMFS extent at
 * offset 0: ESXi's datastore disks, `monolithicFlat`), as a datastore path beside the descriptor;
 * `undefined` for any other layout.
 */
export function flatExtentPath(descriptorPath: string, text: string): string | undefined {
  const d = parseVmdkDescriptor(text);
  const only = d?.extents.length === 1 ? d.extents[0] : undefined;
  if (!only || (only.type !== "FLAT" && only.type !== "VMFS") || only.offsetSectors !== 0 || !only.file || only.file.includes("/")) return undefined;
  const slash = descriptorPath.lastIndexOf("/");
  const bracket = descriptorPath.indexOf("]");
  const dir = slash > bracket ? descriptorPath.slice(0, slash + 1) : `${descriptorPath.slice(0, bracket + 1)} `;
  return `${dir}${only.file}`;
}
