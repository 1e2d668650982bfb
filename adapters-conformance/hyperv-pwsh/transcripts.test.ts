/**
 * Replays every transcript fixture through the real node-powershell package and the stand-in
 * `pwsh` in replay mode: the adapter must send exactly the recorded scripts (matched by text)
 * and, from the recorded answers, reach the recorded observations.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { redact } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { TRANSCRIPT_SCENARIOS } from "./src/transcript-scenarios.ts";
import { FIXTURES_DIR, replayScenario } from "./src/transcripts.ts";

describe("transcript fixtures replayed through node-powershell", () => {
  it("has a fixture directory with a SOURCE.md for every scenario", () => {
    const dirs = readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual(TRANSCRIPT_SCENARIOS.map((s) => s.name).sort());
    for (const dir of dirs) expect(readFileSync(join(FIXTURES_DIR, dir, "SOURCE.md"), "utf8")).toMatch(/synthesized|recorded/i);
  });

  it.each(TRANSCRIPT_SCENARIOS.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    const { observed, expected } = await replayScenario(scenario);
    expect(observed).toEqual(expected);
  });

  it("fixtures hold nothing that looks like a credential", () => {
    for (const dir of readdirSync(FIXTURES_DIR)) {
      const text = readFileSync(join(FIXTURES_DIR, dir, "transcript.json"), "utf8");
      expect(redact(text), dir).toBe(text);
      expect(text).not.toMatch(/VMSHIFT_PS_PASSWORD|ConvertTo-SecureString/);
    }
  });
});
