/**
 * Descriptor layouts as `qemu-img convert -O vmdk -o subformat=…` writes them (monolithicFlat,
 * twoGbMaxExtentFlat) and as ESXi's datastore disks look (VMFS extent; VMware "Virtual Disk
 * Format 5.0").
 */
import { describe, expect, it } from "vitest";
import { flatExtentPath, parseVmdkDescriptor } from "./vmdk-descriptor.ts";

const head = '# Disk DescriptorFile\nversion=1\nCID=52e1d2a3\nparentCID=ffffffff\ncreateType="%s"\n\n# Extent description\n';

describe("vmdk descriptors", () => {
  it("reads the extents of a monolithicFlat descriptor and names its raw file beside it", () => {
    const text = `${head.replace("%s", "monolithicFlat")}RW 8192 FLAT "web-1-flat.vmdk" 0\n\n# The Disk Data Base\nddb.adapterType = "lsilogic"\n`;
    expect(parseVmdkDescriptor(text)).toEqual({ createType: "monolithicFlat", extents: [{ access: "RW", sectors: 8192, type: "FLAT", file: "web-1-flat.vmdk", offsetSectors: 0 }] });
    expect(flatExtentPath("[ds 1] web-1/web-1.vmdk", text)).toBe("[ds 1] web-1/web-1-flat.vmdk");
    expect(flatExtentPath("[ds1] web-1.vmdk", text)).toBe("[ds1] web-1-flat.vmdk");
  });

  it("takes an ESXi VMFS extent, and nothing with several extents, an offset, a sparse extent or no descriptor", () => {
    expect(flatExtentPath("[ds1] a/a.vmdk", `${head.replace("%s", "vmfs")}RW 2097152 VMFS "a-flat.vmdk"\n`)).toBe("[ds1] a/a-flat.vmdk");
    expect(flatExtentPath("[ds1] a/a.vmdk", `${head.replace("%s", "twoGbMaxExtentFlat")}RW 4192256 FLAT "a-f001.vmdk" 0\nRW 4192256 FLAT "a-f002.vmdk" 0\n`)).toBeUndefined();
    expect(flatExtentPath("[ds1] a/a.vmdk", `${head.replace("%s", "monolithicFlat")}RW 8192 FLAT "a-flat.vmdk" 128\n`)).toBeUndefined();
    expect(flatExtentPath("[ds1] a/a.vmdk", `${head.replace("%s", "vmfsSparse")}RW 8192 VMFSSPARSE "a-delta.vmdk"\n`)).toBeUndefined();
    expect(flatExtentPath("[ds1] a/a.vmdk", `${head.replace("%s", "monolithicFlat")}RW 8192 FLAT "../b/b-flat.vmdk" 0\n`)).toBeUndefined();
    expect(parseVmdkDescriptor("KDMV\u0001\u0000\u0000\u0000")).toBeUndefined();
  });
});
