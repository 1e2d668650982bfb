/** `vmshift demo --real`: the same demo on local QEMU/libvirt, when the libvirt lab is installed. */
import { VmshiftError } from "@vmshift/core";
import type { CliIo, ExitCode } from "../io.ts";

/** Runs the demo against the local libvirt lab. */
export async function runRealDemo(_io: CliIo, _json: boolean): Promise<ExitCode> {
  throw new VmshiftError("NOT_SUPPORTED", "the real demo needs the libvirt lab (adapters-conformance/libvirt-lab), which is not available in this build", { operation: "cli.demo" });
}
