/**
 * Windows PowerShell 5.1's ConvertTo-Json differs from PowerShell 7's: enums become numbers and
 * DateTime values become `"\/Date(<ms>)\/"`. This rewrites the stand-in's answers that way so the
 * adapter's 5.1 handling runs through node-powershell too.
 */
const ENUMS: Record<string, Record<string, number>> = {
  state: { Other: 1, Running: 2, Off: 3, Stopping: 4, Saved: 6, Paused: 9, Starting: 10, Reset: 11 },
  authenticationType: { CredSSP: 0, Kerberos: 1 },
  performanceOption: { TCPIP: 0, Compression: 1, SMB: 2 },
  // The move source's objects (Hyper-V's WMI values).
  controllerType: { IDE: 0, SCSI: 1 },
  vhdFormat: { VHD: 2, VHDX: 3, VHDSet: 4 },
  vhdType: { Fixed: 2, Dynamic: 3, Differencing: 4 },
  secureBoot: { On: 0, Off: 1 },
};
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function convert(key: string, value: unknown): unknown {
  if (typeof value === "string" && ENUMS[key]?.[value] !== undefined) return ENUMS[key]![value];
  if (typeof value === "string" && ISO_RE.test(value)) return `/Date(${Date.parse(value)})/`;
  if (Array.isArray(value)) return value.map((v) => convert(key, v));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(k, v)]));
  return value;
}

/** The envelope as 5.1 would print it. */
export function asWindowsPowerShell51(envelope: object): string {
  return JSON.stringify(convert("", envelope)).replace(/"\/Date\((-?\d+)\)\/"/g, '"\\/Date($1)\\/"');
}
