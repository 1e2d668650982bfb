/** Client-side paging over a full listing (PowerShell returns everything at once). */
import { VmshiftError, type Page } from "@vmshift/core";

/**
 * One page of `items` (sorted by id for stable cursors). The cursor is the base64url of the
 * last id returned, so a page boundary survives items appearing or disappearing elsewhere.
 */
export function pageOf<T extends { readonly id: string }>(
  items: readonly T[],
  options: { readonly pageSize?: number; readonly cursor?: string },
  limits: { readonly defaultSize: number; readonly maxSize: number; readonly operation: string },
): Page<T> {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const size = Math.min(options.pageSize ?? limits.defaultSize, limits.maxSize);
  let startIndex = 0;
  if (options.cursor !== undefined) {
    const after = decodeCursor(options.cursor, limits.operation);
    startIndex = sorted.findIndex((item) => item.id > after);
    if (startIndex < 0) startIndex = sorted.length;
  }
  const page = sorted.slice(startIndex, startIndex + size);
  const more = startIndex + size < sorted.length;
  return { items: page, ...(more && page.length > 0 ? { nextCursor: Buffer.from(page.at(-1)!.id, "utf8").toString("base64url") } : {}) };
}

function decodeCursor(cursor: string, operation: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new VmshiftError("INVALID_ARGUMENT", "malformed page cursor", { adapter: "hyperv", operation });
  return Buffer.from(cursor, "base64url").toString("utf8");
}
