/**
 * Every TypeScript block in the docs is a region of a file in docs/examples (type-checked with the
 * workspace), and every example runs here against the simulator.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as fleet from "./examples/fleet.ts";
import * as minimal from "./examples/minimal-adapter.ts";
import * as moveIntoKubevirt from "./examples/move-into-kubevirt.ts";
import * as advice from "./examples/plan-advice.ts";
import * as quick from "./examples/quick-migration.ts";
import * as handles from "./examples/wait-cancel-attach.ts";

const here = dirname(fileURLToPath(import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "api" ? [] : markdownFiles(join(dir, e.name))) : e.name.endsWith(".md") ? [join(dir, e.name)] : []));
}

/** The `// #region docs[:name]` … `// #endregion docs[:name]` part of an example, dedented. */
function region(file: string, name?: string): string {
  const text = readFileSync(join(here, "examples", file), "utf8");
  const tag = name === undefined ? "docs" : `docs:${name}`;
  const match = new RegExp(`// #region ${tag}\\n([\\s\\S]*?)\\n\\s*// #endregion ${tag}\\n`).exec(text);
  if (!match) throw new Error(`${file} has no ${tag} region`);
  const lines = match[1]!.split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join("\n").trim();
}

describe("docs code blocks", () => {
  const files = [...markdownFiles(here), join(here, "..", "README.md")];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const blocks = [...text.matchAll(/<!-- example: ([\w.-]+)(?:#([\w-]+))? -->\n```ts\n([\s\S]*?)```/g)];
    const bare = [...text.matchAll(/(?<!-->\n)```ts\n/g)];
    it(`${file.replace(`${here}/`, "docs/")}: every ts block comes from an example`, () => {
      expect(bare.length, "a ```ts block without an <!-- example: file.ts --> marker").toBe(0);
      for (const [, example, name, code] of blocks) expect(code!.trim(), `block from ${example}`).toBe(region(example!, name));
    });
  }
});

/** The examples print with console.log, as readers' copies will; this collects the lines for the test. */
function captureConsole(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  return lines;
}

describe("docs examples run against the simulator", () => {
  afterEach(() => vi.restoreAllMocks());
  it("quick-migration completes on host-2 within the downtime limit", async () => {
    const lines = captureConsole();
    const result = await quick.main();
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "host-2" } });
    expect(result.downtimeMs).toBeLessThanOrEqual(300);
    expect(lines.at(-1)).toMatch(/^completed: web-01 on host-2/);
  });
  it("wait-cancel-attach: timeout does not cancel, attach finishes, cancel leaves the VM on its source", async () => {
    const r = await handles.main();
    expect(r.timedOut).toBe(true);
    expect(r.attached.outcome).toBe("completed");
    expect(r.cancelled).toMatchObject({ outcome: "cancelled", vmLocation: { side: "source", hostId: "host-1" } });
  });
  it("plan-advice: live for the calm VM, cold for the busy one", async () => {
    const [calm, busy] = await advice.main();
    expect(calm!.strategy).toBe("live");
    expect(busy!.strategy).toBe("cold");
  });
  it("minimal-adapter: lists, and the client refuses what it lacks", async () => {
    const r = await minimal.main();
    expect(r.vms.map((v) => v.id)).toEqual(["vm-a"]);
    expect(r.startError).toBe("NOT_SUPPORTED");
  });
  it("move-into-kubevirt: the target takes warm moves once it has a transfer image (its only read: is the pod name free)", async () => {
    const asked: string[] = [];
    const { VmshiftError } = await import("@vmshift/core");
    const api = {
      request: async <T>(r: { readonly method: string; readonly path: string }): Promise<T> => {
        asked.push(`${r.method} ${r.path}`);
        throw new VmshiftError("NOT_FOUND", "not found");
      },
    };
    const target = await moveIntoKubevirt.main(api);
    const definition = { targetName: "web-01" } as Parameters<NonNullable<typeof target.checkWarm>>[0]["definition"];
    const checks = await target.checkWarm!({ definition }, { signal: new AbortController().signal });
    expect(checks).toEqual([]);
    expect(asked).toEqual(["GET /api/v1/namespaces/migrated/pods/web-01-vmshift-transfer"]);
  });
  it("fleet: evacuation with one VM cancelled", async () => {
    captureConsole();
    const r = await fleet.main();
    expect(r.counts).toEqual({ completed: 4, failed: 0, cancelled: 1, skipped: 0 });
    expect(r.outcomes.find((o) => o.vmId === "web-02")!.vmLocation.hostId).toBe("host-1");
  });
});
