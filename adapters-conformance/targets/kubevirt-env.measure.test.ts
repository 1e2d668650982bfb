/** Unit tests of the kubevirt-env target's request and event parsing for the measurement controls (the controls themselves: measurement-controls.test.ts). */
import { expect, test } from "vitest";
import { requestKind } from "../kubevirt-env/index.ts";


test("requestKind generalises namespaces and names, keeps watches", () => {
  expect(requestKind("GET /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations/vm-1-abc")).toBe("GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations/{name}");
  expect(requestKind("GET /apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations?watch=true&resourceVersion=5")).toBe("GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations?watch");
  expect(requestKind("PUT /apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/web/stop")).toBe("PUT /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachines/{name}/stop");
  expect(requestKind("GET /api/v1/nodes/node-2")).toBe("GET /api/v1/nodes/{name}");
});
