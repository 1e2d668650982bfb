import { VirtualClock } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { FakeVirsh, fail, fixture, ok } from "../../test/fake-virsh.ts";
import { Virsh } from "./virsh.ts";

const URI = "qemu:///system";
const RESET = "error: Cannot recv data: Connection reset by peer";

function setup() {
  const fake = new FakeVirsh();
  const clock = new VirtualClock();
  const virsh = new Virsh(fake, [{ id: "a", uri: URI }], { clock, retries: 2, delayMs: 100 });
  return { fake, clock, virsh };
}

describe("Virsh.run retries", () => {
  it("retries an idempotent command after a transient fault, with doubling delays", async () => {
    const { fake, clock, virsh } = setup();
    fake.on(URI, "dominfo", ok(fixture("lab-inventory", "dominfo-running.txt")));
    fake.on(URI, "dominfo", fail(RESET), { times: 2 });
    const started = clock.now();
    await expect(virsh.run("a", "dominfo", [], { operation: "t" })).resolves.toContain("vmshift-lab-x");
    expect(fake.callsOf("dominfo")).toHaveLength(3);
    expect(clock.now() - started).toBe(300);
  });

  it("gives up after the configured retries with the mapped error", async () => {
    const { fake, virsh } = setup();
    fake.on(URI, "dominfo", fail(RESET));
    await expect(virsh.run("a", "dominfo", [], { operation: "t" })).rejects.toMatchObject({ code: "TRANSPORT", retryable: true });
    expect(fake.callsOf("dominfo")).toHaveLength(3);
  });

  it("never repeats a command that changes something, nor a permanent fault", async () => {
    const { fake, virsh } = setup();
    fake.on(URI, "start", fail(RESET));
    await expect(virsh.run("a", "start", [], { operation: "t" })).rejects.toMatchObject({ code: "TRANSPORT" });
    expect(fake.callsOf("start")).toHaveLength(1);
    fake.on(URI, "dominfo", fail(fixture("lab-inventory", "dominfo-missing.stderr")));
    await expect(virsh.run("a", "dominfo", [], { operation: "t" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(fake.callsOf("dominfo")).toHaveLength(1);
  });

  it("answers NOT_FOUND for a host that is not configured, without running anything", async () => {
    const { fake, virsh } = setup();
    await expect(virsh.run("zz", "list", [], { operation: "t" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(fake.calls).toHaveLength(0);
  });
});
