/**
 * The part of a vCenter client the vSphere move source uses. `createVsphereMoveApi` from
 * `@vmshift/vsphere` fits (structurally: this package does not import it). SOAP parameters are
 * handed over as names and values; the implementation writes them with its escaping XML builder.
 * NFC downloads happen inside the implementation, which keeps the session cookie to itself.
 */

/** A managed object reference. */
export interface VimRef {
  /** The managed object's type (`VirtualMachine`, `Task`, `HttpNfcLease`, …). */
  readonly type: string;
  /** Its id (moref, e.g. `vm-42`). */
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
  /**
   * Downloads an export lease's device URL into `file` (0600). Returns the bytes written. A URL on
   * another host than vCenter's (an ESXi host) is read without the session cookie, its TLS pinned
   * to `sslThumbprint` (the device URL's, SHA-1).
   */
  download(deviceUrl: string, file: string, options?: { readonly signal?: AbortSignal; readonly onBytes?: (bytes: number) => void; readonly sslThumbprint?: string }): Promise<number>;
  /** Warm moves: CreateSnapshot_Task, waited for; the new VirtualMachineSnapshot. Absent → no warm moves. */
  createSnapshot?(vm: VimRef, name: string, options: { readonly description?: string; readonly memory: boolean; readonly quiesce: boolean }, signal?: AbortSignal): Promise<VimRef>;
  /** Warm moves: RemoveSnapshot_Task, waited for. */
  removeSnapshot?(snapshot: VimRef, options?: { readonly removeChildren?: boolean; readonly consolidate?: boolean }, signal?: AbortSignal): Promise<void>;
  /** Warm moves: QueryChangedDiskAreas of disk `deviceKey` at `snapshot` since `changeId` (`"*"`: every allocated area). */
  queryChangedDiskAreas?(vm: VimRef, snapshot: VimRef, deviceKey: number, startOffset: number, changeId: string, signal?: AbortSignal): Promise<DiskChangeInfo>;
  /** Warm moves: reads a datastore file (`/folder/…`) into local `dest` (0600), whole or only `ranges` at their offsets, at most `parallel` Range requests in flight (default 1). Returns the bytes read. */
  readDatastoreFile?(file: { readonly datacenter: string; readonly path: string }, dest: string, options?: { readonly ranges?: readonly { readonly offset: number; readonly length: number }[]; readonly sizeBytes?: number; readonly parallel?: number; readonly signal?: AbortSignal; readonly onBytes?: (bytes: number) => void }): Promise<number>;
}

/** `DiskChangeInfo` of QueryChangedDiskAreas: the areas changed in `[startOffset, startOffset + length)`. */
export interface DiskChangeInfo {
  /** Start of the range the answer covers, bytes. */
  readonly startOffset: number;
  /** Length of that range, bytes. */
  readonly length: number;
  /** The changed areas in it (byte offsets in the disk). */
  readonly changedArea: readonly { readonly start: number; readonly length: number }[];
}
