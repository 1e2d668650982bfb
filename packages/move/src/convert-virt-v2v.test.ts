/**
 * virt-v2v-in-place as the mover's converter, over a double of the argv runner (exec.ts): the argv
 * and environment it runs with, the libvirt XML it hands virt-v2v, what it does with a missing
 * program and a failed run. The real program runs in adapters-conformance/libvirt-lab/virt-v2v-lane.sh.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isVmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import type { ConversionEvent } from "./convert-progress.ts";
import type { ConversionInput } from "./convert.ts";
import { conversionArgv, conversionDomainXml, virtV2vInPlace } from "./convert-virt-v2v.ts";
import type { CommandRunner, ExecOptions, ExecResult } from "./exec.ts";

const FIXTURE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "virt-v2v", "in-place-machine-readable.stdout"), "utf8");

interface Call {
  readonly file: string;
  readonly argv: readonly string[];
  readonly options: ExecOptions;
  /** The input XML as it was while the program ran. */
  readonly xml?: string;
}

/** A runner double: records each call, reads the XML argument while "running", answers with `answer`. */
function runner(answer: (file: string, argv: readonly string[], options: ExecOptions) => ExecResult): { runner: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    runner: {
      async run(file, argv, options = {}) {
        const last = argv.at(-1);
        const xml = last?.endsWith(".xml") && existsSync(last) ? readFileSync(last, "utf8") : undefined;
        calls.push({ file, argv: [...argv], options, ...(xml === undefined ? {} : { xml }) });
        return answer(file, argv, options);
      },
    },
  };
}

const INPUT: ConversionInput = {
  name: "web-01",
  definition: {
    name: "web 01 <prod>", cpus: 2, memoryBytes: 2 * 1024 ** 3, guestOs: "debian11_64Guest",
    disks: [
      { key: "scsi0:0", sizeBytes: 1024, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk" },
      { key: "cd", sizeBytes: 0, bus: "ide", storage: "ds1", device: "cdrom" },
      { key: "scsi0:1", sizeBytes: 2048, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk" },
      { key: "ide0:0", sizeBytes: 4096, format: "vmdk", bus: "ide", storage: "ds1", device: "disk" },
    ],
  },
  volumes: [
    { diskKey: "scsi0:1", storage: "fast", location: "/var/lib/libvirt/images/web-01-b&c.qcow2", format: "qcow2", sizeBytes: 2048 },
    { diskKey: "scsi0:0", storage: "fast", location: "/var/lib/libvirt/images/web-01-a.qcow2", format: "qcow2", sizeBytes: 1024 },
    { diskKey: "ide0:0", storage: "slow", location: "/srv/pool/web-01-c.img", format: "raw", sizeBytes: 4096 },
  ],
};
const ctx = () => ({ signal: new AbortController().signal });

describe("virt-v2v-in-place converter", () => {
  it("runs virt-v2v-in-place -i libvirtxml --machine-readable <xml> with the direct libguestfs backend and a timeout, and removes the XML after", async () => {
    const { runner: r, calls } = runner(() => ({ code: 0, stdout: "", stderr: "" }));
    await virtV2vInPlace({ runner: r }).convert(INPUT, ctx());
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.file).toBe("virt-v2v-in-place");
    expect(call.argv.slice(0, -1)).toEqual(["-i", "libvirtxml", "--machine-readable"]);
    expect(call.argv).toEqual(conversionArgv(call.argv.at(-1)!));
    expect(call.options.env).toEqual({ LIBGUESTFS_BACKEND: "direct" });
    expect(call.options.timeoutMs).toBe(60 * 60_000);
    expect(call.xml).toBeDefined();
    expect(existsSync(call.argv.at(-1)!)).toBe(false);
  });

  it("hands virt-v2v every volume in the guest's disk order, on the bus the guest used at the source, values XML-escaped", () => {
    const xml = conversionDomainXml(INPUT);
    const disks = [...xml.matchAll(/<source file='([^']*)'\/><target dev='(\w+)' bus='(\w+)'\/>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(disks).toEqual([
      ["/var/lib/libvirt/images/web-01-a.qcow2", "sda", "scsi"],
      ["/var/lib/libvirt/images/web-01-b&amp;c.qcow2", "sdb", "scsi"],
      ["/srv/pool/web-01-c.img", "hda", "ide"],
    ]);
    expect(xml).toContain("<driver name='qemu' type='raw'/>");
    expect(xml).toContain("<name>web-01</name>");
    expect(xml).toContain("<memory unit='KiB'>2097152</memory>");
    expect(xml).toContain("<vcpu>2</vcpu>");
    expect(xml).not.toContain("cdrom");
  });

  it("reports each message of a real --machine-readable run as it arrives, whatever the chunks", async () => {
    const { runner: r } = runner((_f, _a, options) => {
      for (let i = 0; i < FIXTURE.length; i += 37) options.onStdout?.(FIXTURE.slice(i, i + 37));
      return { code: 0, stdout: FIXTURE, stderr: "" };
    });
    const events: ConversionEvent[] = [];
    await virtV2vInPlace({ runner: r }).convert(INPUT, { ...ctx(), onEvent: (e) => events.push(e) });
    const texts = events.map((e) => (e.kind === "status" ? `${e.level}: ${e.text}` : `${e.done}/${e.total}`));
    expect(texts[0]).toMatch(/^message: Setting up the source: -i libvirtxml /);
    expect(texts).toContain("message: Inspecting the source");
    expect(texts).toContain("warning: could not determine a way to update the configuration of Grub2");
    expect(texts.at(-1)).toBe("message: Finishing off");
    // One event per JSON message: the human form that follows each one is not a second event.
    expect(events).toHaveLength(FIXTURE.split("\n").filter((l) => l.startsWith("{")).length);
  });

  it("a failed run is MIGRATION_FAILED with virt-v2v's last error lines", async () => {
    const stderr = "virt-v2v-in-place: error: inspection could not detect the source guest (or physical machine).\n\nIf reporting bugs, run virt-v2v-in-place with debugging enabled and include the complete output:\n\n  virt-v2v-in-place -v -x [...]\n";
    const { runner: r } = runner(() => ({ code: 1, stdout: "", stderr }));
    const error = await virtV2vInPlace({ runner: r }).convert(INPUT, ctx()).catch((e: unknown) => e);
    expect(isVmshiftError(error) && error.code).toBe("MIGRATION_FAILED");
    expect((error as Error).message).toContain("virt-v2v-in-place exited 1");
    expect((error as Error).message).toContain("inspection could not detect the source guest");
  });

  it("refuses volumes that are not local files without running anything", async () => {
    const { runner: r, calls } = runner(() => ({ code: 0, stdout: "", stderr: "" }));
    const error = await virtV2vInPlace({ runner: r }).convert({ ...INPUT, volumes: [{ diskKey: "scsi0:0", storage: "sc", location: "https://cdi-uploadproxy/v1beta1/upload", format: "raw", sizeBytes: 1024 }] }, ctx()).catch((e: unknown) => e);
    expect((error as Error).message).toContain("needs the target's volumes as local files; volume scsi0:0 is at https://cdi-uploadproxy");
    expect(calls).toEqual([]);
  });

  it("probe: the version when the program runs, why not when it is missing or fails", async () => {
    const ok = runner(() => ({ code: 0, stdout: "virt-v2v-in-place 2.2.0\n", stderr: "" }));
    expect(await virtV2vInPlace({ runner: ok.runner }).probe(ctx())).toEqual({ version: "2.2.0" });
    expect(ok.calls[0]!.argv).toEqual(["--version"]);
    const missing = runner(() => ({ code: null, stdout: "", stderr: "\nfailed to run virt-v2v-in-place: spawn virt-v2v-in-place ENOENT" }));
    expect(await virtV2vInPlace({ runner: missing.runner }).probe(ctx())).toEqual({ missing: "virt-v2v-in-place is not installed where the mover runs (failed to run virt-v2v-in-place: spawn virt-v2v-in-place ENOENT)" });
    const broken = runner(() => ({ code: 1, stdout: "", stderr: "libguestfs: error: cannot find supermin" }));
    expect(await virtV2vInPlace({ runner: broken.runner, program: "/opt/v2v/bin/virt-v2v-in-place" }).probe(ctx())).toEqual({ missing: "/opt/v2v/bin/virt-v2v-in-place --version failed (exit 1): libguestfs: error: cannot find supermin" });
  });

  it("warns about a Windows guest when there are no virtio-win drivers for virt-v2v to install, and keeps its buses then", () => {
    const seen: string[] = [];
    const exists = (p: string) => (seen.push(p), false);
    const converter = virtV2vInPlace({ runner: runner(() => ({ code: 0, stdout: "", stderr: "" })).runner, exists });
    const windows = { id: "v", name: "win-01", cpus: 1, memoryBytes: 1, firmware: { kind: "uefi" as const }, disks: [], nics: [], snapshotCount: 0, powerState: "stopped" as const, guestOs: "windows2019srv_64Guest" };
    expect(converter.check!(windows)).toEqual([expect.objectContaining({ id: "guest.conversion", severity: "warning", message: expect.stringContaining("/usr/share/virtio-win is missing") })]);
    expect(seen).toEqual(["/usr/share/virtio-win"]);
    expect(converter.check!({ ...windows, guestOs: "debian11_64Guest" })).toEqual([]);
    expect(virtV2vInPlace({ exists: () => true }).check!(windows)).toEqual([]);
    // Which guests come out with virtio drivers (the target then attaches their disks on virtio).
    expect(converter.givesVirtio!(windows)).toBe(false);
    expect(converter.givesVirtio!({ ...windows, guestOs: "debian11_64Guest" })).toBe(true);
    expect(virtV2vInPlace({ exists: () => true }).givesVirtio!(windows)).toBe(true);
  });
});
