/**
 * Whether a guest needs conversion (driver injection) to run on KVM, from its definition alone:
 * guests of the platforms whose virtual hardware is not KVM's (vSphere, Hyper-V, Nutanix AHV) that
 * are Windows (no virtio drivers of their own) or boot from a disk that is not on virtio (a Linux
 * guest's initramfs may lack virtio drivers). A libvirt guest already runs on KVM's devices.
 */
import type { VmDefinition } from "./definition.ts";
import { isCopied } from "./mapping.ts";

/** Source platforms whose guests may need driver injection. */
export const CONVERTING_SOURCES: readonly string[] = ["vsphere", "hyperv", "nutanix"];

/** Whether `convert: auto` converts, and why (for the preflight check's message). */
export interface ConversionNeed {
  readonly needed: boolean;
  readonly why: string;
}

/**
 * True for guest OS words that name Windows: vSphere guest ids (`windows2019srv_64Guest`,
 * `winNetStandardGuest`), Hyper-V's and Nutanix's OS names (`Windows Server 2019 Datacenter`),
 * libosinfo ids (`http://microsoft.com/win/10`).
 */
export function isWindowsGuest(guestOs: string | undefined): boolean {
  if (guestOs === undefined) return false;
  return /^\s*win/i.test(guestOs) || /microsoft\.com\/win/i.test(guestOs) || /\bwindows\b/i.test(guestOs);
}

/** What `convert: auto` decides for this guest coming from `sourcePlatform`. */
export function conversionNeed(definition: VmDefinition, sourcePlatform: string): ConversionNeed {
  if (!CONVERTING_SOURCES.includes(sourcePlatform)) {
    return { needed: false, why: sourcePlatform === "libvirt" ? "a libvirt guest already runs on KVM's devices" : `guests of the ${sourcePlatform} source are not converted (only ${CONVERTING_SOURCES.join(", ")} guests may need drivers injected)` };
  }
  if (isWindowsGuest(definition.guestOs)) return { needed: true, why: `${definition.name} is a Windows guest (${definition.guestOs}) from ${sourcePlatform}: it needs virtio drivers injected` };
  const foreign = definition.disks.filter((d) => isCopied(d) && d.bus !== "virtio");
  if (foreign.length > 0) return { needed: true, why: `disk ${foreign.map((d) => `${d.key} (${d.bus})`).join(", ")} of ${definition.name} is not on virtio at the ${sourcePlatform} source: the guest's boot image may lack virtio drivers` };
  return { needed: false, why: `every disk of ${definition.name} is on virtio and it is not a Windows guest` };
}
