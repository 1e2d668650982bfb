/**
 * The v3 power change against the shape of a real recording: prism-go-client's
 * `v3/mocks/TestOperations_UpdateVM.yaml` (nutanix-cloud-native/prism-go-client@341f17c, taken
 * against pc.2024.3.0.1; see test/recordings/SOURCE.md). Its GET answers the full intent
 * (metadata with project_reference, owner_reference, categories, categories_mapping,
 * creation_time, last_update_time, entity_version, …); the client's PUT sends metadata
 * `{ kind, spec_version }` and the spec, and Prism answers 202 with the task uuid.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { NutanixTransport } from "./transport.ts";
import { V3Api } from "./v3.ts";

const recording = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "test", "recordings", "v3-update-vm.json"), "utf8")) as {
  get: { response: { metadata: Record<string, unknown>; spec: Record<string, unknown> } };
  put: { request: { metadata: Record<string, unknown> }; response: { status: { execution_context: { task_uuid: string } } } };
};

function fakeTransport() {
  const sent: { method: string; path: string; body?: unknown }[] = [];
  const transport = {
    async request(req: { method: string; path: string; body?: unknown }) {
      sent.push({ method: req.method, path: req.path, ...(req.body === undefined ? {} : { body: req.body }) });
      if (req.method === "GET") return { status: 200, data: recording.get.response, headers: {} };
      return { status: 202, data: recording.put.response, headers: {} };
    },
  } as unknown as NutanixTransport;
  return { transport, sent };
}

describe("V3Api.setPowerState", () => {
  it("PUTs metadata as Prism's own client does (kind and spec_version only), not the whole metadata from the GET", async () => {
    const { transport, sent } = fakeTransport();
    const uuid = recording.get.response.metadata["uuid"] as string;
    const task = await new V3Api(transport).setPowerState(uuid, "ON");
    expect(task).toBe(recording.put.response.status.execution_context.task_uuid);
    const put = sent.find((r) => r.method === "PUT")!;
    const body = put.body as { metadata: Record<string, unknown>; spec: { resources: Record<string, unknown> } };
    // The recorded client's metadata keys, with the spec_version the GET returned.
    expect(Object.keys(body.metadata).sort()).toEqual(Object.keys(recording.put.request.metadata).sort());
    expect(body.metadata).toEqual({ kind: "vm", spec_version: recording.get.response.metadata["spec_version"] });
    for (const readOnly of ["creation_time", "last_update_time", "entity_version", "owner_reference", "categories_mapping", "project_reference"]) expect(body.metadata).not.toHaveProperty(readOnly);
    expect(body).not.toHaveProperty("status");
    expect(body.spec.resources["power_state"]).toBe("ON");
    expect(body.spec).toMatchObject({ name: recording.get.response.spec["name"], cluster_reference: recording.get.response.spec["cluster_reference"] });
  });
});
