/** Admin-share paths: a host's drive path as UNC, and the UNC path through the mounted shares. */
import { describe, expect, it } from "vitest";
import { localPath, uncPath } from "./share.ts";

describe("uncPath", () => {
  it("turns a drive path into the host's administrative share and keeps UNC paths", () => {
    expect(uncPath("HV-A", "d:\\VMs\\web 01\\a.vhdx")).toBe("\\\\HV-A\\D$\\VMs\\web 01\\a.vhdx");
    expect(uncPath("HV-A", "\\\\fs01\\vms\\a.vhdx")).toBe("\\\\fs01\\vms\\a.vhdx");
    expect(() => uncPath("HV-A", "relative\\a.vhdx")).toThrow(/neither a drive path nor a UNC path/);
  });
});

describe("localPath", () => {
  const shares = { "\\\\": "/srv/all", "\\\\HV-A\\D$": "/mnt/hv-a-d/", "\\\\hv-a\\d$\\VMs\\fast": "/mnt/fast" };
  it("uses the longest matching prefix, case-insensitively, and joins the rest with slashes", () => {
    expect(localPath("\\\\HV-A\\D$\\VMs\\x\\a.vhdx", shares)).toBe("/mnt/hv-a-d/VMs/x/a.vhdx");
    expect(localPath("\\\\HV-A\\D$\\vms\\FAST\\a.vhdx", shares)).toBe("/mnt/fast/a.vhdx");
    expect(localPath("\\\\HV-B\\C$\\a.vhdx", shares)).toBe("/srv/all/HV-B/C$/a.vhdx");
  });
  it("does not match a prefix that only starts the same name", () => {
    expect(localPath("\\\\HV-A\\D$2\\a.vhdx", { "\\\\HV-A\\D$": "/mnt/d" })).toBeUndefined();
  });
  it("refuses dot segments and slashes inside a segment", () => {
    expect(() => localPath("\\\\HV-A\\D$\\..\\..\\etc\\passwd", shares)).toThrow(/not a plain name/);
    expect(() => localPath("\\\\HV-A\\D$\\a/../../b", shares)).toThrow(/not a plain name/);
  });
});
