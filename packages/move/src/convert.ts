/**
 * Guest conversion at cutover (driver injection): after the last disk bytes are on the target and
 * before the target starts, the guest on the target's volumes is converted to run on KVM (Debian's
 * virt-v2v-in-place by default, convert-virt-v2v.ts). `convert.mode`: `auto` (default) converts the
 * guests that need it (convert-need.ts), `always` every guest, `never` none. A failed conversion
 * fails the target's start: the mover rolls back as for any start failure (target removed, source
 * started again). A target may bring its own converter (`MoveTarget.converter`: KubeVirt with a
 * conversion image runs virt-v2v-in-place in a pod against its claims); other targets that upload
 * disks themselves have no local volumes to convert: `always` is a preflight error there, `auto` a
 * warning that the guest stays as it is.
 */
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "./checks.ts";
import type { ConversionEvent } from "./convert-progress.ts";
import { CONVERTING_SOURCES, conversionNeed } from "./convert-need.ts";
import { VIRT_V2V_PACKAGE } from "./convert-virt-v2v.ts";
import type { VmDefinition } from "./definition.ts";
import type { MappedDefinition } from "./mapping.ts";
import type { MoveSource, MoveTarget, Reservation, ReservedVolume, SpiContext } from "./spi.ts";

/** `auto`: convert when the guest needs it; `always`; `never`. */
export type ConvertMode = "auto" | "always" | "never";

/** The modes, for validation and help texts. */
export const CONVERT_MODES: readonly ConvertMode[] = ["auto", "always", "never"];

/** What a move asks of guest conversion (`MoveRequest.convert`). */
export interface ConvertOptions {
  /** Default `auto`: vSphere, Hyper-V and Nutanix guests that are Windows or boot from a non-virtio disk; never libvirt guests. */
  readonly mode?: ConvertMode;
}

/** What a converter converts: the guest on the target's volumes. */
export interface ConversionInput {
  /** The VM's name on the target. */
  readonly name: string;
  /** Its definition (buses as the guest used them at the source, memory, vCPUs, guest OS). */
  readonly definition: Pick<VmDefinition, "name" | "cpus" | "memoryBytes" | "guestOs"> & { readonly disks: readonly VmDefinition["disks"][number][] };
  /** The target's volumes holding the copied disks. */
  readonly volumes: readonly ReservedVolume[];
}

/** Converts a guest in place on the target's volumes (virt-v2v-in-place by default). */
export interface GuestConverter {
  /** The program, for messages. */
  readonly program: string;
  /** Whether it can run here: its version, or why not. Read-only. */
  probe(ctx: SpiContext): Promise<{ readonly version: string } | { readonly missing: string }>;
  /** Read-only checks of this guest against this converter (e.g. Windows drivers missing). */
  check?(definition: VmDefinition): readonly MoveCheck[];
  /**
   * Whether the converted guest will have virtio drivers (then the target attaches its disks and
   * NICs on virtio). Absent: true for every guest.
   */
  givesVirtio?(definition: VmDefinition): boolean;
  /** Converts; throws a `VmshiftError` when the conversion fails. `onEvent` gets its progress and status. */
  convert(input: ConversionInput, ctx: SpiContext & { readonly onEvent?: (e: ConversionEvent) => void }): Promise<void>;
}

/** The request's conversion mode; an unknown one is `INVALID_ARGUMENT`. */
export function convertMode(convert: ConvertOptions | undefined): ConvertMode {
  const mode = convert?.mode ?? "auto";
  if (!CONVERT_MODES.includes(mode)) throw new VmshiftError("INVALID_ARGUMENT", `convert.mode must be ${CONVERT_MODES.join(", ")}, not ${String(mode)}`, { operation: "move.preflight" });
  return mode;
}

/**
 * True when the target's volumes are files the converter can open where the mover runs (libvirt:
 * pool volumes by path): not a target that uploads the disks itself (`writeDisk`), nor KubeVirt,
 * whose volumes are PVCs in the cluster (filled through CDI's upload proxy or a transfer pod).
 * True as well for a target that offers its own converter (KubeVirt with a conversion image).
 */
export function targetConvertsInPlace(target: MoveTarget): boolean {
  if (target.converter) return true;
  return target.writeDisk === undefined && target.platform !== "kubevirt";
}

/** What a move will do: convert or not, and why. */
export function conversionPlan(request: { readonly from: MoveSource; readonly to: MoveTarget; readonly convert?: ConvertOptions }, definition: VmDefinition): { readonly convert: boolean; readonly why: string } {
  const mode = convertMode(request.convert);
  if (mode === "never") return { convert: false, why: "convert: never" };
  if (mode === "always") return { convert: true, why: "convert: always" };
  const need = conversionNeed(definition, request.from.platform);
  return { convert: need.needed && targetConvertsInPlace(request.to), why: need.why };
}

/**
 * Preflight checks of the conversion (`guest.conversion`, `guest.converterMissing`): always one
 * saying whether the guest will be converted and why; errors when `always` meets a target without
 * local volumes, or when a conversion is due and the converter cannot run here. Read-only.
 */
export async function conversionChecks(request: { readonly from: MoveSource; readonly to: MoveTarget; readonly convert?: ConvertOptions }, definition: VmDefinition, localConverter: GuestConverter, ctx: SpiContext): Promise<MoveCheck[]> {
  const converter = request.to.converter ?? localConverter;
  const mode = convertMode(request.convert);
  const subject = definition.name;
  const need = conversionNeed(definition, request.from.platform);
  const check = (severity: MoveCheck["severity"], message: string, id: MoveCheck["id"] = "guest.conversion"): MoveCheck => ({ id, category: "compatibility", severity, subject, message });
  if (mode === "never") return [need.needed ? check("warning", `the guest is not converted (convert: never) although ${need.why}; it may not boot on the target`) : check("info", `the guest is not converted (convert: never)`)];
  const inPlace = targetConvertsInPlace(request.to);
  const uploads = `the ${request.to.platform} target keeps the disks where the mover cannot open them as files (uploads, PVCs in a cluster): there is nothing here for ${converter.program} to convert in place (${request.to.platform === "kubevirt" ? "set the target's conversion image — conversion.image, CLI profile conversionImage — and vmshift converts in a pod running virt-v2v-in-place against the claims, as Forklift does" : "this target has no converter of its own"})`;
  if (mode === "always" && !inPlace) return [check("error", `convert: always cannot be met: ${uploads}; convert the guest before the move, or move with convert: auto or never`)];
  if (mode === "auto" && !need.needed) return [check("info", `the guest is not converted: ${need.why}`)];
  if (mode === "auto" && !inPlace) return [check("warning", `the guest will not be converted although ${need.why}: ${uploads}`)];
  const probe = await converter.probe(ctx);
  if ("missing" in probe) return [check("error", `the guest must be converted (${mode === "always" ? "convert: always" : need.why}) but ${probe.missing}: install Debian's ${VIRT_V2V_PACKAGE} package (apt-get install ${VIRT_V2V_PACKAGE}, which ships ${converter.program}), or move with convert: never`, "guest.converterMissing")];
  return [check("info", `the guest will be converted at cutover with ${converter.program} ${probe.version} (${mode === "always" ? "convert: always" : need.why})`), ...(converter.check?.(definition) ?? [])];
}

/** What {@link withConversion} needs besides the target. */
export interface ConversionHook {
  readonly from: MoveSource;
  readonly convert?: ConvertOptions;
  readonly converter: GuestConverter;
  /** The VM's id at the source, read when the target starts (an attach learns it from the record). */
  readonly vmId: () => string;
  /** Gets the conversion's status messages. */
  readonly say: (message: string) => void;
}

/**
 * The target of a move with conversion: the same target, whose `start` first converts the guest
 * on the reserved volumes when the move converts (the one hook of the mover's cutover: after the
 * last disk bytes, before the target starts).
 */
export function withConversion(to: MoveTarget, hook: ConversionHook): MoveTarget {
  // Never throws (it runs before the mover's error handling): an unknown mode fails the preflight instead.
  const mode = hook.convert?.mode ?? "auto";
  if (!CONVERT_MODES.includes(mode) || mode === "never" || (mode === "auto" && !CONVERTING_SOURCES.includes(hook.from.platform))) return to;
  let reserved: MappedDefinition | undefined;
  const target: MoveTarget = Object.create(to);
  target.reserve = async (definition, ctx) => {
    const r = await to.reserve(virtioFor(definition), ctx);
    reserved = definition;
    return r;
  };
  // A target with its own converter (KubeVirt's conversion pod) converts where its volumes are.
  const converter = to.converter ?? hook.converter;
  target.start = async (reservation: Reservation, ctx) => {
    // An attached move never reserved in this process: its definition is read again from the source.
    const definition: VmDefinition = reserved ? { ...reserved, nics: [] } : await hook.from.readDefinition(hook.vmId(), ctx);
    const plan = conversionPlan({ from: hook.from, to, ...(hook.convert ? { convert: hook.convert } : {}) }, definition);
    if (plan.convert) await convertGuest(converter, { name: reservation.vmId, definition, volumes: reservation.volumes }, ctx, hook.say);
    await to.start(reservation, ctx);
  };
  return target;

  /**
   * The definition the target is built from when the guest will be converted with virtio drivers:
   * disks and NICs on virtio (virt-v2v renames a Linux guest's disks for virtio-blk, e.g. /dev/sda
   * in fstab becomes /dev/vda, so the target must attach them there). Otherwise as it is.
   */
  function virtioFor(definition: MappedDefinition): MappedDefinition {
    const vm: VmDefinition = { ...definition, nics: [] };
    if (!conversionPlan({ from: hook.from, to, ...(hook.convert ? { convert: hook.convert } : {}) }, vm).convert) return definition;
    if (converter.givesVirtio && !converter.givesVirtio(vm)) return definition;
    return { ...definition, disks: definition.disks.map((d) => ({ ...d, bus: "virtio" })), nics: definition.nics.map((n) => ({ ...n, model: "virtio" })) };
  }
}

async function convertGuest(converter: GuestConverter, input: ConversionInput, ctx: SpiContext, say: (message: string) => void): Promise<void> {
  const t0 = Date.now();
  const lead = `converting ${input.name} with ${converter.program}`;
  say(`${lead}`);
  await converter.convert(input, {
    ...ctx,
    onEvent: (e) => say(e.kind === "progress" ? `${lead}: ${e.total === 0 ? 100 : Math.round((100 * e.done) / e.total)}%` : `${lead}: ${e.text}`),
  });
  say(`${input.name} converted by ${converter.program} in ${((Date.now() - t0) / 1000).toFixed(1)} s; starting it on the target`);
}
