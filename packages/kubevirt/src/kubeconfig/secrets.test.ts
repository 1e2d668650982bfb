/** The kubeconfig's secrets (tokens, passwords, keys, exec-issued tokens) never reach an error message, its details or a log line. */
import { describe, expect, it } from "vitest";
import { type Clock, VmshiftClient, memoryLogger } from "@vmshift/core";
import { fakeSystem } from "../../test/fake-system.ts";
import { type SeenRequest, startHttpServer, status } from "../../test/http-server.ts";
import { createKubevirtAdapter } from "../adapter.ts";
import { loadKubeConfig } from "../connection.ts";
import { HttpKubeTransport } from "../transport.ts";
import type { KubeconfigSystem } from "./system.ts";

const TOKEN = "kvtok-Quill4Marsh8Ember";
const PASSWORD = "pw-Tundra!Comet-7713";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDsecretkeymaterial\n-----END PRIVATE KEY-----\n";
const EXEC_TOKEN = "exectok-Basalt2Heron6Vale";
const SECRETS = [TOKEN, PASSWORD, KEY.split("\n")[1]!, Buffer.from(KEY).toString("base64"), EXEC_TOKEN, Buffer.from(`admin:${PASSWORD}`).toString("base64")];

const instant: Clock = { now: () => Date.now(), sleep: async () => {} };

function text(error: unknown): string {
  const e = error as { message?: string; details?: unknown; cause?: unknown; stack?: string };
  let cause = "";
  try {
    cause = JSON.stringify(e.cause) ?? "";
  } catch {
    cause = String(e.cause);
  }
  return [String(error), e.message, e.stack, JSON.stringify(e.details), cause].join("\n");
}

function expectClean(haystack: string): void {
  for (const secret of SECRETS) expect(haystack, `leaked ${secret.slice(0, 8)}…`).not.toContain(secret);
}

function kubeconfig(server: string, user: string[]): string {
  return ["clusters:", "- name: c", "  cluster:", `    server: ${server}`, "users:", "- name: u", "  user:", ...user.map((l) => `    ${l}`), "contexts:", "- name: x", "  context: {cluster: c, user: u}", "current-context: x", ""].join("\n");
}

function loadError(yaml: string, system: KubeconfigSystem = fakeSystem()): unknown {
  try {
    loadKubeConfig({ kubeconfigYaml: yaml }, system);
  } catch (error) {
    return error;
  }
  throw new Error("expected the kubeconfig to be refused");
}

describe("secrets stay out of errors and logs", () => {
  it.each([
    ["malformed YAML around a token", `users:\n- name: u\n  user:\n    token: {${TOKEN}\n`],
    ["a token where a mapping belongs", `users: ${TOKEN}\n`],
    ["an unresolved alias named like the token", `users:\n- name: u\n  user:\n    token: *${TOKEN}\n`],
    ["key data that is not base64", kubeconfig("https://h:6443", [`client-certificate-data: ${Buffer.from("C").toString("base64")}`, `client-key-data: "!!${TOKEN}!!"`])],
    ["an auth-provider holding tokens", kubeconfig("https://h:6443", ["auth-provider:", "  name: oidc", `  config: {id-token: ${TOKEN}, refresh-token: ${EXEC_TOKEN}}`])],
    ["a password with a token", kubeconfig("https://h:6443", [`token: ${TOKEN}`, "username: admin", `password: "${PASSWORD}"`])],
    ["credentials in the server URL", kubeconfig(`https://admin:${PASSWORD}@h:6443`, [])],
    ["a context that is missing", kubeconfig("https://h:6443", [`token: ${TOKEN}`]).replace("current-context: x", `current-context: y`)],
  ])("loading: %s", (_what, yaml) => {
    expectClean(text(loadError(yaml)));
  });

  it("answers that echo the credentials (401, 403, 503), through the client's logger", async () => {
    const echo = (r: SeenRequest) => `rejected ${r.authorization} (${Buffer.from((r.authorization ?? "").replace(/^Basic /, ""), "base64").toString()})`;
    const answers = [(r: SeenRequest) => status(401, "Unauthorized", echo(r)), (r: SeenRequest) => status(403, "Forbidden", echo(r)), (r: SeenRequest) => status(503, "ServiceUnavailable", echo(r))];
    for (const answer of answers) {
      const server = await startHttpServer(answer);
      for (const user of [[`token: ${TOKEN}`], ["username: admin", `password: "${PASSWORD}"`]]) {
        const logger = memoryLogger();
        const transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: kubeconfig(server.url, user) }, fakeSystem()), clock: instant });
        const client = new VmshiftClient(createKubevirtAdapter({ transport }), { logger, clock: instant });
        const error = await client.getVm("default/web-01").catch((e: unknown) => e);
        expectClean(text(error));
        const start = await client.startMigration({ vmId: "default/web-01", targetHostId: "node-2" }).catch((e: unknown) => e);
        expectClean(text(start));
        expectClean(JSON.stringify(logger.records));
        transport.close();
      }
      await server.close();
    }
  });

  it("exec plugins that fail after printing a token, and a server that echoes the exec token", async () => {
    const server = await startHttpServer((r) => status(401, "Unauthorized", `bad credentials: ${r.authorization}`));
    let n = 0;
    const system = fakeSystem({
      plugin: () =>
        ++n === 1
          ? { code: 0, stdout: JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: EXEC_TOKEN } }), stderr: "" }
          : { code: 1, stdout: JSON.stringify({ status: { token: TOKEN } }), stderr: `token: ${TOKEN}\nrefresh of ${EXEC_TOKEN} failed` },
    });
    const yaml = kubeconfig(server.url, ["exec: {apiVersion: client.authentication.k8s.io/v1, command: plugin, interactiveMode: Never}"]);
    const logger = memoryLogger();
    const transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: yaml }, system), clock: instant, system });
    const error = await new VmshiftClient(createKubevirtAdapter({ transport }), { logger, clock: instant }).getVm("default/web-01").catch((e: unknown) => e);
    expect(String(error)).toMatch(/exec plugin plugin exited with code 1/);
    expectClean(text(error));
    expectClean(JSON.stringify(logger.records));
    await server.close();
  });

  it("unreadable key and token files name the file only", async () => {
    const server = await startHttpServer(() => status(200, "OK"));
    for (const user of [["tokenFile: /nowhere/token"], ["client-certificate: /nowhere/c.crt", "client-key: /nowhere/c.key"]]) {
      const transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: kubeconfig(server.url.replace("http:", "https:"), user) }, fakeSystem()), clock: instant, system: fakeSystem() });
      const error = await transport.request({ method: "GET", path: "/api" }).catch((e: unknown) => e);
      expect(String(error)).toMatch(/\/nowhere\/(token|c\.crt|c\.key).*ENOENT/);
    }
    await server.close();
  });
});
