/**
 * What the fixture targets share: reading recorded scenarios from disk, and the controls that only
 * tell a replay which recordings still fit.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { VmshiftClient } from "@vmshift/core";
import type { ConformanceControls } from "../src/target.ts";

/** Reads every `<dir>/<scenario>/exchanges.json`, in scenario-name order; none when `dir` is absent. */
export function readRecordings<T>(dir: string): T[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "exchanges.json")))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => JSON.parse(readFileSync(join(dir, d.name, "exchanges.json"), "utf8")) as T);
}

/** A replay that narrows its recordings by the controls a scenario uses. */
export interface ControlledReplay {
  control(name: string, arg?: string): unknown;
}

/** The fault controls of a replay target: each forwards to the replay; `restart` also connects anew. */
export function replayControls(replay: ControlledReplay, connect: () => VmshiftClient, requestCount: () => number): ConformanceControls {
  return {
    async failDuringTransfer(vmId) {
      replay.control("failDuringTransfer", vmId);
    },
    async failColdStartOnTarget(vmId) {
      replay.control("failColdStartOnTarget", vmId);
    },
    async slowDown(vmId) {
      replay.control("slowDown", vmId);
    },
    async restart() {
      replay.control("restart");
      return connect();
    },
    requestCount,
  };
}
