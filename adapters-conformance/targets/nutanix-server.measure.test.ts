/** Unit tests of the nutanix-server target's request and event parsing for the measurement controls (the controls themselves: measurement-controls.test.ts). */
import { expect, test } from "vitest";
import { prismRequestKind } from "./nutanix-server.ts";

test("prismRequestKind generalises ext ids and task ids and drops the query", () => {
  expect(prismRequestKind("GET", "/api/prism/v4.0/config/tasks/ZXJnb24%3D%3A7a5c0000-0000-4000-8000-000000000001")).toBe("GET /api/prism/v4.0/config/tasks/{id}");
  expect(prismRequestKind("POST", "/api/vmm/v4.0/ahv/config/vms/0e000000-0000-4000-8000-000000000001/$actions/migrate-to-host")).toBe("POST /api/vmm/v4.0/ahv/config/vms/{id}/$actions/migrate-to-host");
  expect(prismRequestKind("GET", "/api/vmm/v4.0/ahv/config/vms?$page=1&$limit=5")).toBe("GET /api/vmm/v4.0/ahv/config/vms");
});
