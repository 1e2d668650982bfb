import { strictSaxParser } from "../../../test-support/sax.ts";
import { type Subset, envelopeProblems, loadSubset } from "../test/wsdl-contract.ts";
import { VmshiftClient, isVmshiftError, memoryLogger } from "@vmshift/core";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createVsphereAdapter } from "./adapter.ts";
import { crossTarget, locatorThumbprint, serviceLocator, validatePeers } from "./peers.ts";
import { relocateParams } from "./resources/live.ts";
import type { VimMethod, VimTransport } from "./transport.ts";


interface Node { name: string; attributes: Record<string, string>; text: string; children: Node[] }

/** Parses XML with a strict parser into a tree (prefixes kept in attribute names, dropped from element names). */
function tree(xml: string): Node {
  const parser = strictSaxParser();
  const root: Node = { name: "#root", attributes: {}, text: "", children: [] };
  const stack = [root];
  parser.onopentag = (tag) => {
    const node: Node = { name: tag.name.replace(/^[^:]*:/, ""), attributes: tag.attributes, text: "", children: [] };
    stack.at(-1)!.children.push(node);
    stack.push(node);
  };
  parser.ontext = (t) => void (stack.at(-1)!.text += t);
  parser.onclosetag = () => void stack.pop();
  parser.write(xml).close();
  return root;
}
const child = (n: Node | undefined, name: string) => n?.children.find((c) => c.name === name);
const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

// Every envelope the real transport sends in these tests must be valid against the WSDL subset.
let subset: Subset;
const invalidEnvelopes: string[] = [];
beforeAll(async () => {
  subset = await loadSubset();
});
afterEach(() => {
  expect(invalidEnvelopes.splice(0)).toEqual([]);
});

const SHA256 = "ab".repeat(32);
const PEERS = { dr: { url: "https://vc-b.example.test/sdk", username: "administrator@vsphere.local", password: "peer-secret", thumbprint: SHA256 } };

describe("cross-vCenter targets", () => {
  const peers = validatePeers(PEERS);

  it("are named by a '<peer>/' prefix on the host and/or cluster; bare ids stay in this vCenter", () => {
    expect(crossTarget({ targetHostId: "host-9" }, peers)).toBeUndefined();
    expect(crossTarget({}, peers)).toBeUndefined();
    expect(crossTarget({ targetHostId: "dr/host-9" }, peers)).toMatchObject({ peer: { name: "dr" }, hostId: "host-9" });
    expect(crossTarget({ targetClusterId: "dr/domain-c7", targetStorageId: "datastore-5" }, peers)).toMatchObject({ clusterId: "domain-c7", storageId: "datastore-5" });
    expect(crossTarget({ targetHostId: "dr/host-9", targetClusterId: "dr/domain-c7", targetStorageId: "dr/datastore-5" }, peers)).toMatchObject({ hostId: "host-9", clusterId: "domain-c7", storageId: "datastore-5" });
  });

  it.each([
    [{ targetHostId: "nope/host-9" }, /unknown vCenter peer "nope"/],
    [{ targetClusterId: "x/domain-c7" }, /unknown vCenter peer/],
    [{ targetHostId: "dr/" }, /"<peer>\/<moref>"/],
    [{ targetHostId: "dr/a/b" }, /"<peer>\/<moref>"/],
    [{ targetHostId: "host-9", targetClusterId: "dr/domain-c7" }, /on one peer/],
    [{ targetStorageId: "dr/datastore-5" }, /name the target host or cluster there too/],
  ])("refuse %j with INVALID_ARGUMENT", (request, message) => {
    let caught: unknown;
    try {
      crossTarget(request, peers);
    } catch (error) {
      caught = error;
    }
    expect(isVmshiftError(caught, "INVALID_ARGUMENT")).toBe(true);
    expect(String((caught as Error).message)).toMatch(message);
  });

  it("need a peer name without '/', credentials and a thumbprint for the source to pin", () => {
    expect(() => validatePeers({ "a/b": PEERS.dr })).toThrow(/INVALID_ARGUMENT/);
    expect(() => validatePeers({ dr: { ...PEERS.dr, password: "" } })).toThrow(/password is required/);
    expect(() => validatePeers({ dr: { url: PEERS.dr.url, username: "u", password: "p", ca: "PEM" } })).toThrow(/thumbprint or sslThumbprint/);
    expect(() => validatePeers({ dr: { ...PEERS.dr, url: "https://u:p@vc-b/sdk" } })).toThrow(/must not carry credentials/);
    expect(validatePeers({ dr: { url: "https://vc-b", username: "u", password: "p", ca: "PEM", sslThumbprint: "12".repeat(20) } }).get("dr")).toMatchObject({
      endpoint: "https://vc-b/sdk",
      locatorThumbprint: Array(20).fill("12").join(":"),
    });
    expect(locatorThumbprint("aa:bb" + ":cc".repeat(30), "dr")).toBe(["AA", "BB", ...Array(30).fill("CC")].join(":"));
    expect(() => locatorThumbprint("abc", "dr")).toThrow(/SHA-1 .* or SHA-256/);
  });
});

describe("RelocateSpec with a ServiceLocator", () => {
  const hostile = ["p&ss<word>", "]]></password><password>x", "\"'\t\r\n", "&amp;&#0;", "\u00e9\u{1F600}", "<!--", "a&b]]>c"];

  it.each(hostile)("carries the peer's instanceUuid, url, credential (%j, escaped) and thumbprint, in vim25 order", (secret) => {
    const peer = validatePeers({ dr: { ...PEERS.dr, username: `dom\\${secret}`, password: secret } }).get("dr")!;
    const params = relocateParams({ type: "HostSystem", value: "host-9" }, { type: "ResourcePool", value: "resgroup-8" }, "datastore-5", "defaultPriority", {
      service: serviceLocator(peer, "5a0c3b2e-1f4d-4c8e-9b7a-0d1e2f3a4b5c"),
      folder: { type: "Folder", value: "group-v3" },
    });
    const doc = tree(`<RelocateVM_Task ${XSI}>${params.xml}</RelocateVM_Task>`);
    const spec = child(child(doc, "RelocateVM_Task"), "spec")!;
    expect(spec.children.map((c) => c.name)).toEqual(["service", "folder", "datastore", "pool", "host"]);
    const service = child(spec, "service")!;
    expect(service.children.map((c) => c.name)).toEqual(["instanceUuid", "url", "credential", "sslThumbprint"]);
    expect(child(service, "instanceUuid")?.text).toBe("5a0c3b2e-1f4d-4c8e-9b7a-0d1e2f3a4b5c");
    expect(child(service, "url")?.text).toBe("https://vc-b.example.test/sdk");
    const credential = child(service, "credential")!;
    expect(credential.attributes["xsi:type"]).toBe("ServiceLocatorNamePassword");
    expect(credential.children.map((c) => [c.name, c.text])).toEqual([["username", `dom\\${secret}`], ["password", secret]]);
    expect(child(service, "sslThumbprint")?.text).toBe(Array(32).fill("AB").join(":"));
    expect([child(spec, "folder"), child(spec, "datastore"), child(spec, "pool"), child(spec, "host")].map((n) => [n?.attributes["type"], n?.text])).toEqual([
      ["Folder", "group-v3"], ["Datastore", "datastore-5"], ["ResourcePool", "resgroup-8"], ["HostSystem", "host-9"],
    ]);
  });

  it("refuses a credential XML cannot carry, before anything is sent", () => {
    const peer = validatePeers({ dr: { ...PEERS.dr, password: "bad\u0000" } }).get("dr")!;
    expect(() => serviceLocator(peer, "u")).toThrow(/INVALID_ARGUMENT/);
  });
});

// --- The adapter, with the source vCenter behind nock (the real SOAP transport) and a scripted peer.

const mo = (type: string, value: string) => ({ attributes: { type }, $value: value });
const PEER_OBJECTS: Record<string, Record<string, unknown>> = {
  "HostSystem:host-9": {
    name: "esx-b1", parent: mo("ClusterComputeResource", "domain-c7"), "runtime.connectionState": "connected", "runtime.inMaintenanceMode": "false",
    "summary.hardware.memorySize": String(64 * 2 ** 30), datastore: { ManagedObjectReference: [mo("Datastore", "datastore-5")] }, network: "", vm: "",
  },
  "ClusterComputeResource:domain-c7": { resourcePool: mo("ResourcePool", "resgroup-8"), parent: mo("Folder", "group-h4"), host: { ManagedObjectReference: [mo("HostSystem", "host-9")] } },
  "Folder:group-h4": { parent: mo("Datacenter", "datacenter-2") },
  "Datacenter:datacenter-2": { vmFolder: mo("Folder", "group-v3") },
};

function scriptedPeer(instanceUuid = "5a0c3b2e-1f4d-4c8e-9b7a-0d1e2f3a4b5c", objects: Record<string, Record<string, unknown>> = PEER_OBJECTS) {
  const calls: VimMethod[] = [];
  const transport: VimTransport = {
    async call(method, body) {
      calls.push(method);
      if (method === "RetrieveServiceContent") {
        return {
          rootFolder: mo("Folder", "group-d1"), propertyCollector: mo("PropertyCollector", "propertyCollector"), viewManager: mo("ViewManager", "ViewManager"),
          sessionManager: mo("SessionManager", "SessionManager"), about: { apiType: "VirtualCenter", instanceUuid },
        };
      }
      if (method !== "RetrievePropertiesEx") return undefined;
      const objs = [...body.xml.matchAll(/<obj type="(\w+)">([^<]+)<\/obj>/g)].map((m) => `${m[1]}:${m[2]}`);
      return {
        objects: objs.filter((k) => objects[k]).map((k) => ({
          obj: mo(k.split(":")[0]!, k.split(":")[1]!),
          propSet: Object.entries(objects[k]!).map(([name, val]) => ({ name, val })),
        })),
      };
    },
    clearSession() {},
    async close() {},
  };
  return { transport, calls };
}

const ENV = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${XSI} xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
const SOURCE_CONTENT = ENV(
  '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector><viewManager type="ViewManager">ViewManager</viewManager><sessionManager type="SessionManager">SessionManager</sessionManager><about><apiType>VirtualCenter</apiType><instanceUuid>11111111-2222-3333-4444-555555555555</instanceUuid></about></returnval></RetrieveServiceContentResponse>',
);
const VM_FACTS = ENV(
  '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj>' +
    '<propSet><name>name</name><val xsi:type="xsd:string">web-1</val></propSet>' +
    '<propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet>' +
    '<propSet><name>runtime.host</name><val type="HostSystem" xsi:type="ManagedObjectReference">host-1</val></propSet>' +
    '<propSet><name>summary.config.memorySizeMB</name><val xsi:type="xsd:int">1024</val></propSet>' +
    "</objects></returnval></RetrievePropertiesExResponse>",
);

const TASK_RUNNING = ENV(
  '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Task">task-77</obj><propSet><name>info</name><val xsi:type="TaskInfo">' +
    '<key>task-77</key><task type="Task">task-77</task><entity type="VirtualMachine">vm-1</entity><state>running</state><cancelable>true</cancelable><progress>5</progress>' +
    "</val></propSet></objects></returnval></RetrievePropertiesExResponse>",
);

/** The first WaitForUpdatesEx of the session's feed: the task's info as its filter enters. */
const TASK_UPDATE = ENV(
  '<WaitForUpdatesExResponse xmlns="urn:vim25"><returnval><version>1</version><filterSet><filter type="PropertyFilter">filter-1</filter><objectSet><kind>enter</kind><obj type="Task">task-77</obj>' +
    '<changeSet><name>info</name><op>assign</op><val xsi:type="TaskInfo"><key>task-77</key><task type="Task">task-77</task><entity type="VirtualMachine">vm-1</entity><state>running</state><cancelable>true</cancelable><progress>5</progress></val></changeSet>' +
    "</objectSet></filterSet></returnval></WaitForUpdatesExResponse>",
);

/** The source vCenter: answers by method; RelocateVM_Task gets `relocate` (status, body). */
function sourceVcenter(relocate: (body: string) => [number, string]) {
  const sent: { method: string; body: string }[] = [];
  nock("https://vc-a.example.test")
    .persist()
    .post("/sdk")
    // nock 15 hands the reply function the request (a fetch Request).
    .reply((async (request: Request) => {
      const text = await request.text();
      const method = /<vim25:(\w+)/.exec(text)?.[1] ?? "?";
      sent.push({ method, body: text });
      invalidEnvelopes.push(...envelopeProblems(subset, text).map((p) => `${method}: ${p}`));
      if (method === "RetrieveServiceContent") return [200, SOURCE_CONTENT];
      if (method === "Login") return [200, ENV('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse>'), { "Set-Cookie": "vmware_soap_session=s1; Path=/" }];
      if (method === "RetrievePropertiesEx" && text.includes('<obj type="Task">task-77</obj>')) return [200, TASK_RUNNING];
      if (method === "RetrievePropertiesEx") return [200, VM_FACTS];
      if (method === "RelocateVM_Task") return relocate(text);
      if (method === "CreateFilter") return [200, ENV('<CreateFilterResponse xmlns="urn:vim25"><returnval type="PropertyFilter">filter-1</returnval></CreateFilterResponse>')];
      if (method === "DestroyPropertyFilter") return [200, ENV('<DestroyPropertyFilterResponse xmlns="urn:vim25"></DestroyPropertyFilterResponse>')];
      if (method === "WaitForUpdatesEx" && text.includes("<version></version>")) return [200, TASK_UPDATE];
      if (method === "WaitForUpdatesEx") {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return [200, ENV('<WaitForUpdatesExResponse xmlns="urn:vim25"></WaitForUpdatesExResponse>')];
      }
      return [500, "unexpected"];
    }) as never);
  return sent;
}

describe("the adapter with peers", () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  it("refuses an unknown peer with INVALID_ARGUMENT before any request, on either vCenter", async () => {
    const source = scriptedPeer();
    const peer = scriptedPeer();
    const adapter = createVsphereAdapter({ url: "https://vc-a.example.test/sdk", username: "u", password: "p", transport: source.transport, peers: { dr: { ...PEERS.dr, transport: peer.transport } } });
    const client = new VmshiftClient(adapter);
    for (const attempt of [
      () => client.startMigration({ vmId: "vm-1", targetHostId: "elsewhere/host-9" }),
      () => client.startMigration({ vmId: "vm-1", targetClusterId: "elsewhere/domain-c7" }),
      () => client.preflight({ vmId: "vm-1", targetHostId: "elsewhere/host-9" }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(isVmshiftError(error, "INVALID_ARGUMENT")).toBe(true);
    }
    const cold = await client.startMigration({ vmId: "vm-1", targetHostId: "dr/host-9", mode: "cold" }).catch((e: unknown) => e);
    expect(isVmshiftError(cold, "CAPABILITY_UNAVAILABLE")).toBe(true);
    expect(source.calls).toEqual([]);
    expect(peer.calls).toEqual([]);
  });

  it("preflights in the peer: host state and memory there, and says what it leaves to the source vCenter", async () => {
    const source = scriptedPeer("11111111-2222-3333-4444-555555555555", {
      "VirtualMachine:vm-1": { name: "web-1", "runtime.powerState": "poweredOn", "runtime.host": mo("HostSystem", "host-1"), "summary.config.memorySizeMB": "1024" },
    });
    const peer = scriptedPeer();
    const client = new VmshiftClient(createVsphereAdapter({ url: "https://vc-a.example.test/sdk", username: "u", password: "p", transport: source.transport, peers: { dr: { ...PEERS.dr, transport: peer.transport } } }));
    const report = await client.preflight({ vmId: "vm-1", targetHostId: "dr/host-9" });
    const checks = report.checks;
    expect(report.ok).toBe(true);
    expect(checks.find((c) => c.id === "cross-vcenter.unchecked")?.message).toMatch(/dr\/host-9 \(datastore datastore-5\).*CheckRelocate_Task/);
    const missing = await client.preflight({ vmId: "vm-1", targetHostId: "dr/host-404" });
    expect(missing.checks).toMatchObject([{ id: "host.not-found", severity: "error" }]);
    const wrongStore = await client.preflight({ vmId: "vm-1", targetHostId: "dr/host-9", targetStorageId: "datastore-404" });
    expect(wrongStore.checks.find((c) => c.id === "host.datastore-visibility")?.severity).toBe("error");
    expect(source.calls).not.toContain("RelocateVM_Task");
    expect(source.calls).not.toContain("CheckRelocate_Task");
  });

  it("sends RelocateVM_Task with the ServiceLocator and the peer's placement, and reports the peer host as target", async () => {
    const sent = sourceVcenter(() => [200, ENV('<RelocateVM_TaskResponse xmlns="urn:vim25"><returnval type="Task">task-77</returnval></RelocateVM_TaskResponse>')]);
    const peer = scriptedPeer();
    const adapter = createVsphereAdapter({ url: "https://vc-a.example.test/sdk", username: "u", password: "p", insecureSkipTlsVerify: true, peers: { dr: { ...PEERS.dr, transport: peer.transport } } });
    const client = new VmshiftClient(adapter);
    const task = await client.startMigration({ vmId: "vm-1", targetHostId: "dr/host-9", mode: "live" });
    const snapshot = await task.refresh();
    expect(snapshot).toMatchObject({ id: "live/vm-1/host-1/dr%2Fhost-9/task-77", phase: "transferring", sourceHostId: "host-1", targetHostId: "dr/host-9" });
    const relocate = sent.find((s) => s.method === "RelocateVM_Task");
    expect(relocate).toBeDefined();
    const spec = child(child(child(child(tree(relocate!.body), "Envelope"), "Body"), "RelocateVM_Task"), "spec")!;
    expect(spec.children.map((c) => c.name)).toEqual(["service", "folder", "datastore", "pool", "host"]);
    expect(child(child(spec, "service"), "instanceUuid")?.text).toBe("5a0c3b2e-1f4d-4c8e-9b7a-0d1e2f3a4b5c");
    expect(child(child(child(spec, "service"), "credential"), "password")?.text).toBe("peer-secret");
    expect([child(spec, "folder")?.text, child(spec, "datastore")?.text, child(spec, "pool")?.text, child(spec, "host")?.text]).toEqual(["group-v3", "datastore-5", "resgroup-8", "host-9"]);
    expect(peer.calls.filter((m) => m === "Login")).toHaveLength(1);
    await adapter.close?.();
  });

  it("keeps the peer password out of errors and logs, even when the source vCenter echoes it", async () => {
    sourceVcenter((body) => {
      const password = /<password>([^<]*)<\/password>/g;
      const echoed = [...body.matchAll(password)].at(-1)?.[1] ?? "";
      return [500, ENV(`<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Cannot log into https://vc-b.example.test with password ${echoed}</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"><reason>password ${echoed} rejected</reason></InvalidLoginFault></detail></soapenv:Fault>`)];
    });
    const logger = memoryLogger();
    const secret = "Peer&Secret<1>";
    const peer = scriptedPeer();
    const client = new VmshiftClient(
      createVsphereAdapter({ url: "https://vc-a.example.test/sdk", username: "u", password: "p", insecureSkipTlsVerify: true, logger, peers: { dr: { ...PEERS.dr, password: secret, transport: peer.transport } } }),
      { logger },
    );
    const error = await client.startMigration({ vmId: "vm-1", targetHostId: "dr/host-9", mode: "live" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    const e = error as { message: string; reason: string; cause?: unknown; details?: unknown };
    const seen = JSON.stringify({ message: e.message, reason: e.reason, cause: e.cause, details: e.details, stack: (error as Error).stack });
    expect(seen).toContain("***");
    expect(seen).not.toContain(secret);
    expect(seen).not.toContain("Peer&amp;Secret");
    expect(JSON.stringify(logger.records)).not.toContain(secret);
    await client.close();
  });
});
