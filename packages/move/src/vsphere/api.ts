/**
 * The part of a vCenter client the vSphere move source uses. `createVsphereMoveApi` from
 * `@vmshift/vsphere` fits (structurally: this package does not import it). SOAP parameters are
 * handed over as names and values; the implementation writes them with its escaping XML builder.
 * NFC downloads happen inside the implementation, which keeps the session cookie to itself.
 */

/** A managed object reference. */
export interface VimRef {
  readonly type: string;
  readonly value: string;
}

/** The calls a move makes. */
export type VsphereMoveCall = "ExportVm" | "HttpNfcLeaseProgress" | "HttpNfcLeaseComplete" | "HttpNfcLeaseAbort" | "PowerOffVM_Task" | "PowerOnVM_Task" | "ShutdownGuest" | "Destroy_Task";

/** What the vSphere move source needs from vCenter. */
export interface VsphereMoveApi {
  /** Properties of one object by path, as the client decodes them (`xsi:type` in `attributes`, text values, single-element arrays as objects); `NOT_FOUND` when it does not exist. */
  properties(ref: VimRef, paths: readonly string[], signal?: AbortSignal): Promise<Readonly<Record<string, unknown>>>;
  /** Calls `method` on `self` with parameters (names and values; the implementation escapes them). */
  invoke(method: VsphereMoveCall, self: VimRef, params?: readonly (readonly [string, string | number | VimRef])[], signal?: AbortSignal): Promise<unknown>;
  /** Waits for a task to end; its fault as a `VmshiftError`. */
  waitTask(task: VimRef, signal?: AbortSignal): Promise<void>;
  /** Downloads an export lease's device URL into `file` (0600). Returns the bytes written. */
  download(deviceUrl: string, file: string, options?: { readonly signal?: AbortSignal; readonly onBytes?: (bytes: number) => void }): Promise<number>;
}
