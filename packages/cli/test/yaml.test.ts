import { describe, expect, it } from "vitest";
import { parseYaml, stringifyYaml } from "../src/yaml.ts";

describe("the CLI's YAML", () => {
  it("reads the YAML 1.2 core schema: yes, dates and leading zeros stay strings", () => {
    expect(parseYaml("a: 1\nb: yes\nc: 2024-01-01\nd: true\ne: ~\nf: '0123'\ng: 0o17\n")).toEqual({ a: 1, b: "yes", c: "2024-01-01", d: true, e: null, f: "0123", g: 15 });
  });

  it("says where a syntax error is without quoting the text around it", () => {
    const secret = "s3cr3t-Value-42";
    expect(() => parseYaml(`profiles:\n  lab:\n    token: ${secret}: oops\n`)).toThrow(/at line 3, column \d+$/);
    try {
      parseYaml(`profiles:\n  lab:\n    token: ${secret}: oops\n`);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("refuses duplicate keys", () => {
    expect(() => parseYaml("profiles: {}\nprofiles: {}\n")).toThrow(/duplicated mapping key at line 2/);
  });

  it("writes what it reads back unchanged, quoting strings that would read as other types", () => {
    const value = { defaultProfile: "lab", profiles: { lab: { platform: "kubevirt", kubeconfig: "/tmp/a b/kubeconfig.yaml", port: 8443, insecure: false, version: "0123", flag: "true", nothing: "null", long: "x".repeat(300) } } };
    const text = stringifyYaml(value);
    expect(parseYaml(text)).toEqual(value);
    expect(text.split("\n").every((line) => !line.endsWith(" "))).toBe(true);
  });
});
