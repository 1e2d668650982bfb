/** PropertyCollector reads: property specs, one-object and few-object reads (listings page through `listing.ts`). */
import { VmshiftError } from "@vmshift/core";
import type { ServiceContent, VimSession } from "../session.ts";
import type { VimCallOptions } from "../transport.ts";
import { type MoRef, type Xml, el, moref, opt, seq } from "../xml.ts";
import { type ObjectProps, objectContents, text } from "./decode.ts";

/** `PropertySpec` for `type` with only `paths`. */
export function propertySpec(type: string, paths: readonly string[]): Xml {
  return el("propSet", [el("type", type), ...paths.map((p) => el("pathSet", p))]);
}

/** `ObjectSpec` for one object. */
export function oneObject(ref: MoRef): Xml {
  return el("objectSet", [moref("obj", ref), el("skip", false)]);
}

/** A page of a RetrievePropertiesEx / ContinueRetrievePropertiesEx answer. */
export interface RetrievedPage {
  readonly objects: ObjectProps[];
  readonly token?: string;
}

function page(result: unknown): RetrievedPage {
  const r = (result ?? {}) as { objects?: unknown; token?: unknown };
  const token = text(r.token);
  return { objects: objectContents(r.objects), ...(token ? { token } : {}) };
}

/** RetrievePropertiesEx with `maxObjects` (0: server default). */
export async function retrieve(session: VimSession, content: ServiceContent, specs: Xml, maxObjects = 0, options: VimCallOptions = {}): Promise<RetrievedPage> {
  const result = await session.call(
    "RetrievePropertiesEx",
    content.propertyCollector,
    seq(el("specSet", specs), el("options", opt("maxObjects", maxObjects > 0 ? maxObjects : undefined))),
    options,
  );
  return page(result);
}

/** The properties of one object; `NOT_FOUND` (from ManagedObjectNotFound) when it does not exist. */
export async function readObject(session: VimSession, content: ServiceContent, ref: MoRef, paths: readonly string[], options: VimCallOptions = {}): Promise<Readonly<Record<string, unknown>>> {
  const { objects } = await retrieve(session, content, seq(propertySpec(ref.type, paths), oneObject(ref)), 0, options);
  const found = objects.find((o) => o.ref.value === ref.value);
  if (!found) throw new VmshiftError("NOT_FOUND", `no ${ref.type} ${ref.value}`, { adapter: "vsphere", subject: ref.value });
  return found.props;
}

/** The properties of several objects of one type (missing ones are left out). */
export async function readObjects(session: VimSession, content: ServiceContent, type: string, ids: readonly string[], paths: readonly string[], options: VimCallOptions = {}): Promise<ObjectProps[]> {
  if (ids.length === 0) return [];
  const specs = seq(propertySpec(type, paths), ...ids.map((value) => oneObject({ type, value })));
  return (await retrieve(session, content, specs, 0, options)).objects;
}
