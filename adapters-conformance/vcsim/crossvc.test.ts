/**
 * Cross-vCenter vMotion against two vcsim launchers: the adapter logs into the peer, resolves the
 * target's host, root pool, datastore, VM folder and `about.instanceUuid` there, and sends the
 * source a RelocateVM_Task whose spec carries the ServiceLocator. govmomi 0.24's vcsim cannot
 * move a VM between simulators, so the launcher refuses such a spec (NotSupported) after decoding
 * it and echoes what it decoded: this proves the request shape end to end, not the move itself.
 */
import { strictSaxParser } from "../../test-support/sax.ts";
import { VmshiftClient, isVmshiftError, memoryLogger } from "@vmshift/core";
import { createVsphereAdapter } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const missing = vcsimMissing();
if (missing && process.env["CI"] === "true") throw new Error(missing);


/** Text and attributes of every element under `RelocateVM_Task`, by slash path (e.g. `spec/service/url`). */
function relocateFields(xml: string): Map<string, { text: string; attributes: Record<string, string> }> {
  const parser = strictSaxParser();
  const stack: string[] = [];
  const out = new Map<string, { text: string; attributes: Record<string, string> }>();
  parser.onopentag = (tag) => {
    stack.push(tag.name.replace(/^[^:]*:/, ""));
    const at = stack.indexOf("RelocateVM_Task");
    if (at >= 0 && stack.length > at + 1) out.set(stack.slice(at + 1).join("/"), { text: "", attributes: tag.attributes });
  };
  parser.ontext = (t) => {
    const at = stack.indexOf("RelocateVM_Task");
    const entry = at >= 0 ? out.get(stack.slice(at + 1).join("/")) : undefined;
    if (entry) entry.text += t;
  };
  parser.onclosetag = () => void stack.pop();
  parser.write(xml).close();
  return out;
}

describe.skipIf(missing !== undefined)("cross-vCenter vMotion between two vmshift-vcsim launchers", () => {
  let source: Vcsim;
  let peer: Vcsim;
  beforeAll(async () => {
    [source, peer] = await Promise.all([startVcsim(["-vm", "2"]), startVcsim(["-vm", "1"])]);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), peer?.stop()]);
  });

  it("resolves the target in the peer and sends the source a RelocateSpec with the ServiceLocator", async () => {
    const peerPassword = "peer-Pw&<'\"]]>";
    const relocates: string[] = [];
    const logger = memoryLogger();
    const peerClient = new VmshiftClient(createVsphereAdapter({ url: peer.url, username: "peer", password: "pw", thumbprint: peer.thumbprint }));
    const peerAdapter = createVsphereAdapter({ url: peer.url, username: "peer", password: "pw", thumbprint: peer.thumbprint });
    const about = await peerAdapter.session.content();
    const peerHosts = await peerClient.listHosts().all();
    const targetHost = peerHosts.find((h) => h.clusterId !== undefined && h.schedulable)!;
    const client = new VmshiftClient(
      createVsphereAdapter({
        url: source.url, username: "src", password: "src-pw", thumbprint: source.thumbprint, logger,
        peers: { dr: { url: peer.url, username: "administrator@vsphere.local", password: peerPassword, thumbprint: peer.thumbprint } },
        onExchange: (x) => {
          if (x.method === "RelocateVM_Task") relocates.push(x.request);
        },
      }),
      { logger },
    );
    const vm = (await client.listVms().all()).find((v) => v.powerState === "running")!;

    const error = await client.startMigration({ vmId: vm.id, targetHostId: `dr/${targetHost.id}`, mode: "live" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
    const message = String((error as Error).message);
    // What the launcher decoded (Go side): every field of the ServiceLocator and the explicit placement.
    expect(about.instanceUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(message).toContain(`instanceUuid=${about.instanceUuid}`);
    expect(message).toContain(`url=${peer.url}`);
    expect(message).toContain("credential=*types.ServiceLocatorNamePassword user=administrator@vsphere.local");
    expect(message).toContain(`host=${targetHost.id}`);
    expect(message).toMatch(/folder=(?:group|folder)-\w+ datastore=\S+ pool=resgroup-\w+ /);
    // What the adapter sent (wire): the password escaped by the XML helper and decoded intact.
    expect(relocates).toHaveLength(1);
    const fields = relocateFields(relocates[0]!);
    expect(fields.get("spec/service/credential/password")?.text).toBe(peerPassword);
    expect(fields.get("spec/service/credential")?.attributes["xsi:type"]).toBe("ServiceLocatorNamePassword");
    expect(fields.get("spec/service/sslThumbprint")?.text).toBe(peer.thumbprint.replace(/:/g, "").toUpperCase().match(/../g)!.join(":"));
    // The secret stays out of the error and the logs.
    expect(JSON.stringify({ message, cause: (error as { cause?: unknown }).cause, details: (error as { details?: unknown }).details })).not.toContain(peerPassword);
    expect(JSON.stringify(logger.records)).not.toContain(peerPassword);
    // Refused, not run as a local move: the VM stays where it was.
    expect((await client.getVm(vm.id)).hostId).toBe(vm.hostId);
    await Promise.all([client.close(), peerClient.close(), peerAdapter.close?.()]);
  });
});
