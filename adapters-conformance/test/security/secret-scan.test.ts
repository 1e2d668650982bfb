/**
 * Fails on anything that looks like a credential in a fixture, transcript, recording, snapshot or
 * captured log anywhere in the repository (tracked or new files).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanText } from "./credential-patterns.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const EVIDENCE = /(^|\/)(fixtures|transcripts|recordings|__snapshots__|snapshots|cassettes)\/|\.(log|snap|har|ndjson)$/;

function repositoryFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  return out.split("\n").filter((f) => f && EVIDENCE.test(f));
}

describe("secret scanner", () => {
  it("finds planted credentials of every kind (so a clean scan means something)", () => {
    const planted = [
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----",
      '"Authorization": "Basic YWRtaW46aHVudGVyMg=="',
      '{"password": "Hunter2!x"}',
      "X-ntnx-api-key: 4f1c2a9e8b7d6c5e",
      "Cookie: vmware_soap_session=52a1b2c3-d4e5-f6a7",
      "Set-Cookie: vmware_soap_session=5f3c9a2e-8b1d-4c7e-9a60-2d4b8e1f7c30; Path=/",
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
      "users:\n- name: admin\n  user:\n    token: kubeadmtoken1234567890abcdef",
      "AKIAIOSFODNN7EXAMPLX",
    ];
    for (const text of planted) expect(scanText(text).length, text).toBeGreaterThan(0);
  });

  it("accepts what the redactors write", () => {
    for (const text of ['{"password": "***"}', "Authorization: Basic ***", '"password": "REDACTED"', "token: <redacted>", "X-ntnx-api-key: ***", "vmware_soap_session=00000000-0000-4000-8000-000000000002; Path=/"]) {
      expect(scanText(text), text).toEqual([]);
    }
  });

  it("every fixture, transcript, recording, snapshot and log in the repository is clean", () => {
    const files = repositoryFiles();
    expect(files.length, "no evidence files found: the scan would prove nothing").toBeGreaterThan(0);
    const findings: string[] = [];
    for (const file of files) {
      const path = join(root, file);
      if (statSync(path).size > 5_000_000) continue;
      for (const f of scanText(readFileSync(path, "utf8"))) findings.push(`${file}:${f.line} ${f.pattern}: ${f.excerpt}`);
    }
    expect(findings).toEqual([]);
  });
});
