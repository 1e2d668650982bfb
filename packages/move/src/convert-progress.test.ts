import { describe, expect, it } from "vitest";
import { conversionLineReader, parseConversionLine } from "./convert-progress.ts";

describe("virt-v2v --machine-readable lines", () => {
  it("reads progress bars, JSON messages of each type, stamped and warning lines", () => {
    expect(parseConversionLine("12/100")).toEqual({ kind: "progress", done: 12, total: 100 });
    expect(parseConversionLine('{ "message": "Closing the overlay", "timestamp": "2026-12-07T22:56:19.71+00:00", "type": "message" }')).toEqual({ kind: "status", level: "message", text: "Closing the overlay" });
    expect(parseConversionLine('{ "message": "no grub", "timestamp": "t", "type": "warning" }')).toEqual({ kind: "status", level: "warning", text: "no grub" });
    expect(parseConversionLine('{ "message": "disk full", "timestamp": "t", "type": "error" }')).toEqual({ kind: "status", level: "error", text: "disk full" });
    expect(parseConversionLine("[ 342.9] Mapping filesystem data")).toEqual({ kind: "status", level: "message", text: "Mapping filesystem data", elapsedSeconds: 342.9 });
    expect(parseConversionLine("virt-v2v-in-place: warning: could not determine a way to update the configuration of Grub2")).toEqual({ kind: "status", level: "warning", text: "could not determine a way to update the configuration of Grub2" });
    expect(parseConversionLine("{not json")).toEqual({ kind: "status", level: "message", text: "{not json" });
    expect(parseConversionLine("  \r")).toBeUndefined();
  });

  it("keeps one event per message: the human form after a JSON one adds its elapsed time, even across chunks", () => {
    const out = [
      '{ "message": "Opening the source", "timestamp": "t", "type": "message" }\n[   1.1] Opening the source\n',
      '{ "message": "Guest Agent at first boot.", "timestamp": "t", "type": "info" }\nvirt-v2v-in-place: Guest Agent at first boot.\n',
      "3/4\n",
      "plain line with no JSON before it\n",
      '{ "message": "Finishing off", "timestamp": "t", "type": "message" }',
    ].join("");
    for (const size of [1, 7, 64, out.length]) {
      const reader = conversionLineReader();
      const events = [];
      for (let i = 0; i < out.length; i += size) events.push(...reader.push(out.slice(i, i + size)));
      events.push(...reader.end());
      expect(events, `chunks of ${size}`).toEqual([
        { kind: "status", level: "message", text: "Opening the source", elapsedSeconds: 1.1 },
        { kind: "status", level: "info", text: "Guest Agent at first boot." },
        { kind: "progress", done: 3, total: 4 },
        { kind: "status", level: "message", text: "plain line with no JSON before it" },
        { kind: "status", level: "message", text: "Finishing off" },
      ]);
    }
  });
});
