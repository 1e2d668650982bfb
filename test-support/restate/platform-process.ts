/**
 * A simulated platform in its own process (the platform outlives the workers, as a real one
 * does): a `SimulatorWorld` on the system clock, served over HTTP by the simulator's own server
 * (`serveSimulator`, what `vmshift target serve simulator` runs), plus a second loopback endpoint
 * the tests read the platform's side of the story from: migrations per VM (exactly once?), where
 * every VM is, and the most migrations ever in flight per host (limits kept?).
 * Started by platform.ts with the path of its spec (JSON) in argv[2]; prints one `ready` JSON line.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { systemClock } from "@vmshift/core";
import { SimulatorWorld, serveSimulator } from "@vmshift/simulator";
import type { PlatformSpec, PlatformStats } from "./platform.ts";

const spec = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as PlatformSpec;
const world = new SimulatorWorld({ clock: systemClock, inventory: spec.inventory, seed: spec.seed ?? 1, ...(spec.timing ? { timing: spec.timing } : {}) });
for (const f of spec.faults ?? []) {
  if (f.kind === "failAtPhase") world.faults.failAtPhase(f.vmId, f.phase);
  else if (f.kind === "neverConverge") world.faults.neverConverge(f.vmId);
  else if (f.kind === "refuseTarget") world.faults.refuseTarget(f.hostId);
}
const served = await serveSimulator(world, { token: spec.token });

const stats = (): PlatformStats => {
  const migrations: Record<string, number> = {};
  const outcomes: Record<string, string> = {};
  let active = 0;
  for (const m of world.migrations.values()) {
    migrations[m.vmId] = (migrations[m.vmId] ?? 0) + 1;
    if (m.result) outcomes[m.vmId] = m.result.outcome;
    else active++;
  }
  return {
    migrations,
    outcomes,
    active,
    requests: world.requestCount,
    vms: Object.fromEntries([...world.vms.values()].map((v) => [v.spec.id, { hostId: v.hostId, powerState: v.powerState }])),
    peaks: Object.fromEntries(world.peakMigrations),
  };
};
const statsServer = createServer((req, res) => {
  const body = JSON.stringify(req.url === "/stats" ? stats() : { error: "not found" });
  res.writeHead(req.url === "/stats" ? 200 : 404, { "content-type": "application/json" }).end(body);
});
await new Promise<void>((resolve) => statsServer.listen(0, "127.0.0.1", resolve));
const address = statsServer.address();
const statsUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
process.stdout.write(`${JSON.stringify({ ready: true, url: served.url, statsUrl })}\n`);
const stop = () => {
  statsServer.close();
  void served.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
