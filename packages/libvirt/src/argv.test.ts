import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INPUT_FILE, checkValue, virshArgv } from "./argv.ts";
import { spawnVirshRunner } from "./transport.ts";

const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom("a b", "it's", '"quoted"', "x; rm -rf /", "$(touch /tmp/pwned)", "`id`", "a\nb", "-rf", "--live", "a|b", "a&&b", "*", "\u0000", "", "line\r\nbreak", "tab\there"),
  fc.tuple(fc.constantFrom("", "-", "--", ";", "$(", "\n", "'", '"', " "), fc.string()).map(([a, b]) => a + b),
);

describe("virshArgv", () => {
  it("keeps every accepted value as exactly one argv element in its place, and rejects the rest with INVALID_ARGUMENT", () => {
    fc.assert(
      fc.property(nasty, nasty, (domain, uri) => {
        let argv: string[];
        try {
          argv = virshArgv("qemu:///system", "migrate", [{ flag: "--live" }, { option: "--domain", value: domain }, { option: "--desturi", value: uri }]);
        } catch (error) {
          expect((error as { code?: string }).code).toBe("INVALID_ARGUMENT");
          const bad = (v: string) => v.length === 0 || v.startsWith("-") || /[\u0000-\u001f\u007f]/.test(v);
          expect(bad(domain) || bad(uri)).toBe(true);
          return;
        }
        expect(argv).toEqual(["-q", "-c", "qemu:///system", "migrate", "--live", "--domain", domain, "--desturi", uri]);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects values that start with '-', contain control characters, or are empty", () => {
    for (const v of ["-x", "--undefinesource", "a\nb", "a\u0000", "", "\u001b[31m"]) {
      expect(() => checkValue("v", v)).toThrowError(/INVALID_ARGUMENT/);
    }
    expect(() => checkValue("n", -1)).toThrowError(/INVALID_ARGUMENT/);
    expect(() => checkValue("n", 1.5)).toThrowError(/INVALID_ARGUMENT/);
    expect(checkValue("n", 64)).toBe("64");
    expect(checkValue("v", "a b; $(c)")).toBe("a b; $(c)");
  });

  it("rejects command and option names that are not identifiers", () => {
    expect(() => virshArgv("qemu:///system", "list; reboot")).toThrowError(/INVALID_ARGUMENT/);
    expect(() => virshArgv("qemu:///system", "list", [{ flag: "--all --x" }])).toThrowError(/INVALID_ARGUMENT/);
    expect(() => virshArgv("qemu:///system", "list", [{ option: "domain", value: "x" }])).toThrowError(/INVALID_ARGUMENT/);
  });

  it("marks an input file with a placeholder no checked value can equal", () => {
    expect(virshArgv("qemu:///system", "define", [{ inputFile: true }])).toEqual(["-q", "-c", "qemu:///system", "define", INPUT_FILE]);
    expect(() => checkValue("v", INPUT_FILE)).toThrowError(/INVALID_ARGUMENT/);
  });
});

describe("spawnVirshRunner", () => {
  it("passes values to the program verbatim, without a shell", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmshift-argv-"));
    try {
      const echo = join(dir, "virsh");
      writeFileSync(echo, `#!${process.execPath}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n`);
      chmodSync(echo, 0o755);
      const marker = join(dir, "pwned");
      const values = [`$(touch ${marker})`, `x; touch ${marker}`, "`touch " + marker + "`", "it's \"quoted\"", "a b"];
      const argv = virshArgv("qemu:///system", "dominfo", values.map((value) => ({ option: "--domain", value })));
      const result = await spawnVirshRunner({ binary: echo }).run(argv);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(argv);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes input to a private file that exists only during the call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmshift-argv-"));
    try {
      const cat = join(dir, "virsh");
      writeFileSync(cat, `#!${process.execPath}\nconst fs = require("node:fs"); const f = process.argv.at(-1); process.stdout.write(JSON.stringify({ f, body: fs.readFileSync(f, "utf8"), mode: fs.statSync(f).mode & 0o777 }));\n`);
      chmodSync(cat, 0o755);
      const result = await spawnVirshRunner({ binary: cat }).run(virshArgv("qemu:///system", "define", [{ inputFile: true }]), { input: "<domain/>" });
      const out = JSON.parse(result.stdout) as { f: string; body: string; mode: number };
      expect(out.body).toBe("<domain/>");
      expect(out.mode).toBe(0o600);
      expect(existsSync(out.f)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing binary as a failed result, not a throw", async () => {
    const result = await spawnVirshRunner({ binary: "/nonexistent/virsh" }).run(["-q", "-c", "qemu:///system", "list"]);
    expect(result.code).toBeNull();
    expect(result.stderr).toMatch(/failed to run/);
  });
});
