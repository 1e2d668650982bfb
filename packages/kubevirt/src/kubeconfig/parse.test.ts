import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { parseKubeconfig } from "./parse.ts";

const SECRET = "s3cr3t-token-0123456789";

function parse(text: string) {
  return parseKubeconfig(text, "kubeconfig text", "/work");
}

function refusal(text: string): Error {
  try {
    parse(text);
  } catch (error) {
    expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    return error as Error;
  }
  throw new Error("expected the text to be refused");
}

describe("parseKubeconfig", () => {
  it("reads every scalar as text (failsafe schema), explicit tags included", () => {
    const doc = parse("current-context: 0123\nclusters:\n- name: 1e3\n  cluster: {server: true, insecure-skip-tls-verify: !!bool true, port: !!int 0443, x: null, y: ~, z: }\n");
    expect(doc.currentContext).toBe("0123");
    expect(doc.clusters.get("1e3")?.body).toEqual({ server: "true", "insecure-skip-tls-verify": "true", port: "0443", x: "null", y: "~", z: "" });
  });

  it("reads JSON, and the directory relative paths resolve against", () => {
    const doc = parse(JSON.stringify({ kind: "Config", clusters: [{ name: "c", cluster: { server: "https://h:6443", "insecure-skip-tls-verify": true } }], "current-context": "x" }));
    expect(doc.clusters.get("c")).toEqual({ name: "c", body: { server: "https://h:6443", "insecure-skip-tls-verify": "true" }, baseDir: "/work", source: "kubeconfig text" });
  });

  it("treats empty text (or only comments) as an empty kubeconfig", () => {
    for (const text of ["", "  \n# nothing\n", "---\n"]) expect(parse(text).clusters.size).toBe(0);
  });

  it("keeps the last value of a key given twice, and the last entry of a name given twice", () => {
    const doc = parse("clusters:\n- name: a\n  cluster: {server: one}\n  cluster: {server: two}\n- name: a\n  cluster: {server: three}\ncurrent-context: x\ncurrent-context: y\n");
    expect(doc.currentContext).toBe("y");
    expect(doc.clusters.get("a")?.body).toEqual({ server: "three" });
  });

  it("resolves aliases", () => {
    const doc = parse("shared: &c {server: 'https://h:6443'}\nclusters:\n- name: a\n  cluster: *c\n- name: b\n  cluster: *c\n");
    expect(doc.clusters.get("b")?.body).toEqual({ server: "https://h:6443" });
  });

  it("refuses aliases that expand exponentially (billion laughs) or are too many", () => {
    let laughs = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 9; i++) laughs += `l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(", ")}]\n`;
    expect(refusal(laughs + "clusters: *l8\n").message).toMatch(/an alias is unresolved or expands too far/);
    const many = "a: &a x\nb: [" + Array(101).fill("*a").join(", ") + "]\n";
    expect(refusal(many).message).toMatch(/an alias is unresolved or expands too far, at line 2/);
  });

  it("survives an alias inside its own anchor", () => {
    expect(refusal("users: &u [*u]\n").message).toMatch(/users\[0\] must be a mapping/);
  });

  it("names the line and column of a syntax error, never the text", () => {
    const cases: [string, RegExp][] = [
      [`users:\n- name: u\n  user:\n    token: {${SECRET}\n`, /not valid YAML or JSON \(at line 5, column 1\)$/],
      [`users:\n- name: u\n  user:\n    token: *${SECRET}\n`, /alias is unresolved or expands too far, at line 4, column 13\)$/],
      [`users:\n\t- name: ${SECRET}\n`, /at line 2, column 1\)$/],
      [`users: !${SECRET} {a: b}\n`, /not valid YAML or JSON \(at line 1/],
      [`token: "${SECRET}\n`, /not valid YAML or JSON/],
    ];
    for (const [text, message] of cases) {
      const error = refusal(text);
      expect(error.message).toMatch(message);
      expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String((error as { cause?: unknown }).cause ?? "") })).not.toContain(SECRET);
    }
  });

  it("refuses more than one document, a document that is not a mapping, and another kind", () => {
    expect(refusal("clusters: []\n---\nusers: []\n").message).toMatch(/more than one document/);
    expect(refusal(`${SECRET}\n`).message).toMatch(/the document must be a mapping/);
    expect(refusal("- a\n").message).toMatch(/the document must be a mapping/);
    expect(refusal("kind: Pod\n").message).toMatch(/kind is "Pod", expected Config/);
  });
});
