/**
 * Server-side printing: objects as a `meta.k8s.io/v1` Table when the client asks for it
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, what `kubectl get` sends). Columns are
 * `Name` plus the resource's printer columns from the registry (resources.ts); without any, `Name`
 * and `Age`, as the API server prints a CRD that declares none. Rows carry the object's metadata
 * (`includeObject=Metadata`, the default), the whole object (`Object`) or nothing (`None`).
 */
import type { PrinterColumn, ResourceDefinition } from "./resources.ts";
import { apiVersionOf } from "./resources.ts";
import type { StoredObject } from "./store.ts";

/** Whether an Accept header asks for a `meta.k8s.io/v1` Table. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => {
    const params = part.split(";").map((s) => s.trim());
    return params.includes("as=Table") && params.includes("g=meta.k8s.io") && params.includes("v=v1");
  });
}

/** The Content-Type of a Table answer. */
export const TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

const NAME: PrinterColumn = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" };
const AGE: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

function columnsOf(d: ResourceDefinition): PrinterColumn[] {
  return [NAME, ...(d.columns ?? [AGE])];
}

/** Builds a Table of `objects`. `listMeta` is the list's metadata (resourceVersion, continue). */
export function toTable(d: ResourceDefinition, objects: StoredObject[], options: { listMeta?: Record<string, unknown>; includeObject?: string | null; headers?: boolean; now?: Date }): Record<string, unknown> {
  const now = options.now ?? new Date();
  const columns = columnsOf(d);
  const include = options.includeObject ?? "Metadata";
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: options.listMeta ?? {},
    columnDefinitions:
      options.headers === false
        ? null
        : columns.map((c) => ({ name: c.name, type: c.type === "date" ? "date" : c.type, format: c.format ?? "", description: c.description ?? (c.jsonPath ? `Custom resource definition column (in JSONPath format): ${c.jsonPath}` : ""), priority: c.priority ?? 0 })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => cellOf(c, o, now)),
      object:
        include === "None"
          ? null
          : include === "Object"
            ? { apiVersion: apiVersionOf(d), kind: d.kind, ...o }
            : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}

function cellOf(c: PrinterColumn, o: StoredObject, now: Date): unknown {
  if (c === NAME) return o.metadata.name;
  const value = c.cell ? c.cell(o, now) : c.jsonPath ? evaluate(c.jsonPath, o)[0] : undefined;
  if (value === undefined || value === null) return null;
  if (c.type === "date") return typeof value === "string" ? humanAge(now.getTime() - Date.parse(value)) : null;
  if (c.type === "string" && typeof value === "object") return JSON.stringify(value);
  return value;
}

/**
 * The JSONPath subset printer columns use: `.a.b`, `[n]`, `[*]` and `[?(@.key=='value')]`.
 * Returns every match (empty when the path does not resolve).
 */
export function evaluate(path: string, root: unknown): unknown[] {
  const tokens = path.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [root];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of current) {
      if (token.startsWith(".")) {
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
          const child = (value as Record<string, unknown>)[token.slice(1)];
          if (child !== undefined) next.push(child);
        }
        continue;
      }
      if (!Array.isArray(value)) continue;
      const inner = token.slice(1, -1);
      const filter = /^\?\(@\.([\w.]+)\s*==\s*['"]([^'"]*)['"]\)$/.exec(inner);
      if (inner === "*") next.push(...value);
      else if (filter) next.push(...value.filter((item) => evaluate(`.${filter[1]!}`, item)[0] === filter[2]));
      else if (/^-?\d+$/.test(inner)) {
        const i = Number(inner);
        const item = value[i < 0 ? value.length + i : i];
        if (item !== undefined) next.push(item);
      }
    }
    current = next;
  }
  return current;
}

/** A duration as Kubernetes prints ages (`k8s.io/apimachinery/pkg/util/duration.HumanDuration`). */
export function humanAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}
