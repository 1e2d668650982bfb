import { describe, expect, it } from "vitest";
import { isVmshiftError } from "./errors.ts";
import type { Page } from "./model.ts";
import { paginate } from "./paginate.ts";

const pages: Record<string, Page<number>> = {
  start: { items: [1, 2], nextCursor: "c2" },
  c2: { items: [3, 4], nextCursor: "c3" },
  c3: { items: [5] },
};
const fetcher = async (cursor: string | undefined) => pages[cursor ?? "start"]!;

describe("paginate", () => {
  it("walks every page", async () => {
    expect(await paginate(fetcher).all()).toEqual([1, 2, 3, 4, 5]);
  });

  it("exposes the cursor to resume from, and resumes from it", async () => {
    const iterator = paginate(fetcher);
    for await (const page of iterator) {
      expect(page.items).toEqual([1, 2]);
      break;
    }
    expect(iterator.cursor).toBe("c2");
    expect(await paginate(fetcher, { startCursor: iterator.cursor! }).all()).toEqual([3, 4, 5]);
  });

  it("stops with INTERNAL when the platform returns the same cursor twice", async () => {
    const looping = async (cursor: string | undefined): Promise<Page<number>> => ({ items: [1], nextCursor: cursor ?? "same" });
    const error = await paginate(looping, { adapter: "nutanix", operation: "vm.list" }).all().catch((e: unknown) => e);
    expect(isVmshiftError(error, "INTERNAL")).toBe(true);
    expect(String((error as Error).message)).toMatch(/\[nutanix\] vm.list/);
  });

  it("fetches lazily: nothing before iteration, one page per step", async () => {
    let calls = 0;
    const iterator = paginate(async (c) => {
      calls++;
      return fetcher(c);
    });
    expect(calls).toBe(0);
    for await (const item of iterator.items()) if (item === 2) break;
    expect(calls).toBe(1);
  });
});
