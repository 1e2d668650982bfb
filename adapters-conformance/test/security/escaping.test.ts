/**
 * Every transport's one escaping helper against one hostile corpus (support/hostile.ts, at least
 * 1,000 values each): URL path segments (kubevirt `apiPath`, nutanix `pathSegment`/`buildPath`,
 * and nutanix's `$filter` literal), SOAP/XML (vsphere `el`/`escapeXml`, read back by `sax`, the
 * parser `soap` uses), PowerShell (hyperv `psString`, read back by PowerShell's quoting rules),
 * virsh argv (libvirt `virshArgv`, then spawned without a shell). A value is either refused with
 * INVALID_ARGUMENT, for a stated reason, or comes back exactly as it went in.
 */
import { isVmshiftError } from "@vmshift/core";
import { psString } from "@vmshift/hyperv";
import { apiPath } from "@vmshift/kubevirt";
import { virshArgv } from "@vmshift/libvirt";
import { buildPath, odataString, pathSegment, queryString } from "@vmshift/nutanix";
import { el } from "@vmshift/vsphere";
import { describe, expect, it } from "vitest";
import { RUNS, forEachHostile, isWellFormed } from "./support/hostile.ts";
import { readPowerShellLiteral } from "./support/powershell-literal.ts";
// The Hyper-V package's own tree-sitter loader (web-tree-sitter + the grammar's shipped .wasm).
import { nodesOfType, powershellParser } from "../../../test-support/powershell-parser.ts";
import { echoArgvRunner } from "./support/echo-argv.ts";
import { kubevirtClient } from "./support/endpoints.ts";
import { startTlsServer } from "./support/tls-server.ts";
import { parseXmlElement } from "./support/sax.ts";

/** Runs `fn`; returns the VmshiftError code it threw, or undefined when it returned. */
function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (isVmshiftError(error)) return error.code;
    throw error;
  }
}

const ORIGIN = "https://127.0.0.1:6443";

/** `path` has `count` segments; segment `index` is non-empty and decodes to `value`; URL parsing keeps the path as built. */
function expectSegment(path: string, index: number, count: number, value: string): void {
  expect(path).not.toMatch(/[?#]/);
  const segments = path.split("/").slice(1);
  expect(segments).toHaveLength(count);
  expect(segments[index]).not.toBe("");
  expect(decodeURIComponent(segments[index]!)).toBe(value);
  expect(new URL(path, ORIGIN).pathname, "a URL parser (axios uses WHATWG URL) must not rewrite the path").toBe(path);
}

/** Values kubevirt's apiPath refuses with INVALID_ARGUMENT (tested below). */
const KUBEVIRT_UNSAFE = (value: string) => value === "" || value === "." || value === ".." || !isWellFormed(value);

describe("URL path segments", () => {
  it("kubevirt apiPath keeps every value one segment (the values it refuses are tested below)", () => {
    const checked = forEachHostile((value) => {
      if (KUBEVIRT_UNSAFE(value)) return false;
      const path = apiPath("apis", "kubevirt.io", "v1", "namespaces", value, "virtualmachines", value);
      expectSegment(path, 4, 7, value);
      expectSegment(path, 6, 7, value);
    });
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });

  it("kubevirt apiPath refuses '', '.', '..' and lone surrogates with INVALID_ARGUMENT (security finding fixed, pin removed)", () => {
    for (const value of ["", ".", "..", "\uD800"]) {
      let caught: unknown;
      try {
        apiPath("api", "v1", "nodes", value);
      } catch (error) {
        caught = error;
      }
      expect(isVmshiftError(caught, "INVALID_ARGUMENT"), JSON.stringify(value)).toBe(true);
    }
  });

  it("kubevirt listVms({ scope: '..' }) is INVALID_ARGUMENT and sends nothing (security finding fixed, pin removed)", async () => {
    const server = await startTlsServer(() => ({ status: 200, body: JSON.stringify({ kind: "VirtualMachineList", apiVersion: "kubevirt.io/v1", metadata: {}, items: [] }) }));
    try {
      let caught: unknown;
      try {
        await kubevirtClient({ origin: server.origin, tls: "ca", certPem: server.certPem }).listVms({ scope: ".." }).all();
      } catch (error) {
        caught = error;
      }
      expect(isVmshiftError(caught, "INVALID_ARGUMENT")).toBe(true);
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("nutanix pathSegment/buildPath keep every value one segment, refusing only empty, dot segments and lone surrogates", () => {
    const checked = forEachHostile((value) => {
      const mustRefuse = value === "" || value === "." || value === ".." || !isWellFormed(value);
      const code = refusal(() => pathSegment(value));
      expect(code, JSON.stringify(value)).toBe(mustRefuse ? "INVALID_ARGUMENT" : undefined);
      if (mustRefuse) return;
      expect(pathSegment(value)).not.toMatch(/[/?#]/);
      expectSegment(buildPath`/api/vmm/v4.0/ahv/config/vms/${value}/$actions/migrate`, 6, 9, value);
    });
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });

  it("nutanix $filter literals (odataString in queryString) read back as the same value", () => {
    const checked = forEachHostile((value) => {
      if (!isWellFormed(value)) return false;
      const url = new URL(`/api/vmm/v4.0/ahv/config/vms${queryString({ $filter: `host/extId eq ${odataString(value)}`, $page: 0 })}`, ORIGIN);
      expect([...url.searchParams.keys()]).toEqual(["$filter", "$page"]);
      const filter = url.searchParams.get("$filter")!;
      const literal = /^host\/extId eq '((?:[^']|'')*)'$/.exec(filter);
      expect(literal, filter).not.toBeNull();
      expect(literal![1]!.replaceAll("''", "'")).toBe(value);
    });
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });

  it("nutanix queryString refuses a $filter value with a lone surrogate with INVALID_ARGUMENT", () => {
    expect(() => queryString({ $filter: `host/extId eq ${odataString("a\uD800")}` })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

/** XML 1.0 `Char`: what an XML document can carry at all. */
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

describe("SOAP/XML", () => {
  it("vsphere el/escapeXml: text and attribute values parse back exactly, or the value is refused because XML cannot carry it", () => {
    const checked = forEachHostile((value) => {
      const carriable = isWellFormed(value) && XML_CHAR.test(value);
      const code = refusal(() => el("name", value, { type: value }));
      expect(code, JSON.stringify(value)).toBe(carriable ? undefined : "INVALID_ARGUMENT");
      if (!carriable) return;
      const xml = el("name", value, { type: value }).xml;
      expect(xml).not.toContain("]]>");
      expect(parseXmlElement(xml)).toEqual({ name: "name", attributes: { type: value }, text: value });
    });
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });
});

describe("PowerShell", () => {
  it("hyperv psString: one literal that PowerShell's quoting rules read back exactly; only lone surrogates are refused", () => {
    const checked = forEachHostile((value) => {
      const code = refusal(() => psString(value));
      expect(code, JSON.stringify(value)).toBe(isWellFormed(value) ? undefined : "INVALID_ARGUMENT");
      if (!isWellFormed(value)) return;
      const encoded = psString(value);
      expect(readPowerShellLiteral(encoded)).toEqual({ value, rest: "" });
    });
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });

  it("hyperv psString under tree-sitter-powershell: `$v = <literal>` parses cleanly to one string literal, no variable or subexpression from the value", async () => {
    const parser = await powershellParser();
    const checked = forEachHostile((value) => {
      if (!isWellFormed(value)) return false;
      const tree = parser.parse(`$v = ${psString(value)}`)!;
      try {
        expect(tree.rootNode.hasError, JSON.stringify(value)).toBe(false);
        expect(nodesOfType(tree.rootNode, "string_literal")).toHaveLength(1);
        expect(nodesOfType(tree.rootNode, "variable").map((n) => n.text)).toEqual(["$v"]);
        expect(nodesOfType(tree.rootNode, "sub_expression")).toHaveLength(0);
      } finally {
        tree.delete();
      }
    });
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });
});

describe("virsh argv", () => {
  const refused = (value: string) => value === "" || value.length > 4096 || value.startsWith("-") || /[\u0000-\u001f\u007f]/.test(value);

  it("libvirt virshArgv: each value is exactly one argv element, or refused (empty, leading '-', control characters)", () => {
    const checked = forEachHostile((value) => {
      const build = () => virshArgv("qemu:///system", "dominfo", [{ value }, { option: "--uuid", value }]);
      expect(refusal(build), JSON.stringify(value)).toBe(refused(value) ? "INVALID_ARGUMENT" : undefined);
      if (!refused(value)) expect(build()).toEqual(["-q", "-c", "qemu:///system", "dominfo", value, "--uuid", value]);
    });
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });

  it("the spawn runner hands argv to the program as it is: no shell expands, splits or runs anything", async () => {
    const echo = echoArgvRunner();
    try {
      const values: string[] = [`$(touch ${echo.canary})`, `;touch ${echo.canary}`, `\`touch ${echo.canary}\``, `|touch ${echo.canary}`, "a b", "*", "~", "'\"", "${HOME}"];
      forEachHostile((value) => {
        if (!refused(value) && isWellFormed(value)) values.push(value);
      }, 1_400);
      expect(values.length).toBeGreaterThanOrEqual(RUNS);
      const argv = virshArgv("qemu:///system", "list", values.map((value) => ({ value })));
      const seen = await echo.argvSeenBy(argv);
      expect(seen).toEqual(argv);
      expect(echo.canaryExists(), "a value ran as a command").toBe(false);
    } finally {
      echo.cleanup();
    }
  });
});
