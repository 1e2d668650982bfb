/** Hyper-V storage names in the CLI's map form: CSV paths and SMB shares can be mapped. */
import { describe, expect, it } from "vitest";
import { parsePairs, parseStorageMap } from "../mapping.ts";
import { storageOf } from "./definition.ts";

describe("maps naming Hyper-V storages", () => {
  it("accept a drive, a Cluster Shared Volume and an SMB share as sources, as storageOf names them", () => {
    const entries = ["D:=pool-a", `${storageOf("C:\\ClusterStorage\\Volume1\\vm\\a.vhdx")}=pool-b:qcow2`, `${storageOf("\\\\fs01\\vms\\a.vhdx")}=pool-c`];
    expect(parseStorageMap(entries)).toEqual({ "D:": { storage: "pool-a" }, "C:\\ClusterStorage\\Volume1": { storage: "pool-b", format: "qcow2" }, "\\\\fs01\\vms": { storage: "pool-c" } });
  });
  it("accept a switch named with a space, as Hyper-V's own 'Default Switch'", () => {
    expect(parsePairs(["Default Switch=default"], "network")).toEqual({ "Default Switch": "default" });
  });
});
