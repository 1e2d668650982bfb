/**
 * The one place where values become vim25 SOAP XML. Every value that reaches a request body goes
 * through {@link escapeXml}; element and attribute names are constants checked by {@link el}.
 */
import { VmshiftError } from "@vmshift/core";

/** Characters XML 1.0 cannot carry at all, not even as character references. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/**
 * Escapes a value for element text or a quoted attribute: `& < > " '` become entities (so `]]>`
 * can never close anything either). Tab, LF and CR are written as character references so they
 * survive attribute normalisation. Throws `INVALID_ARGUMENT` for characters XML 1.0 cannot
 * represent (NUL and other C0 controls, U+FFFE/U+FFFF, unpaired surrogates): such a value could
 * never reach vCenter intact, so nothing is sent.
 */
export function escapeXml(value: string): string {
  if (typeof value !== "string") throw new VmshiftError("INVALID_ARGUMENT", "an XML value must be a string", { adapter: "vsphere" });
  const bad = FORBIDDEN.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw new VmshiftError("INVALID_ARGUMENT", `a value contains U+${code}, which XML cannot carry`, { adapter: "vsphere" });
  }
  return value.replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

const NAME = /^(?:[A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A vim25 managed object reference: `type` (e.g. `VirtualMachine`) and `value` (e.g. `vm-63`). */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

/** A fragment of request XML that has already been escaped (built only by this module). */
export interface Xml {
  readonly xml: string;
}

type Child = Xml | string | number | boolean | undefined | null | readonly Child[];

function checkName(name: string): string {
  if (!NAME.test(name)) throw new VmshiftError("INTERNAL", `bad XML name ${JSON.stringify(name)}`, { adapter: "vsphere" });
  return name;
}

function render(child: Child): string {
  if (child === undefined || child === null) return "";
  if (Array.isArray(child)) return (child as readonly Child[]).map(render).join("");
  if (typeof child === "object") return (child as Xml).xml;
  return escapeXml(String(child));
}

/**
 * An element `<name attr="…">children</name>`. Strings, numbers and booleans are escaped text;
 * {@link Xml} fragments are nested as they are; `undefined`/`null` children are left out.
 */
export function el(name: string, children: Child, attributes: Readonly<Record<string, string>> = {}): Xml {
  checkName(name);
  const attrs = Object.entries(attributes)
    .map(([k, v]) => ` ${checkName(k)}="${escapeXml(v)}"`)
    .join("");
  return { xml: `<${name}${attrs}>${render(children)}</${name}>` };
}

/** An optional element: nothing when `value` is undefined. */
export function opt(name: string, value: string | number | boolean | Xml | undefined): Xml {
  return value === undefined ? { xml: "" } : el(name, value);
}

/** A managed object reference element, e.g. `<host type="HostSystem">host-42</host>`. */
export function moref(name: string, ref: MoRef): Xml {
  return el(name, ref.value, { type: ref.type });
}

/** A polymorphic element carrying `xsi:type` (the envelope binds the `xsi` prefix). */
export function typed(name: string, xsiType: string, children: Child): Xml {
  return el(name, children, { "xsi:type": xsiType });
}

/** Concatenates fragments. */
export function seq(...children: Child[]): Xml {
  return { xml: render(children) };
}
