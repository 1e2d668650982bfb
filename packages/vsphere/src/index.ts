/**
 * @vmshift/vsphere: live (vMotion) and cold migration on VMware vSphere through vim25 SOAP over
 * `node:https`, with envelopes checked against a hand-written WSDL subset shipped in `spec/`.
 * @packageDocumentation
 */
export { type VsphereAdapter, type VsphereAdapterOptions, createVsphereAdapter } from "./adapter.ts";
export { VSPHERE_CAPABILITIES } from "./capabilities.ts";
export { FAULT_CODES, FAULT_FAMILIES, type FaultContext, type VimFault, codeForFault, faultToError } from "./errors.ts";
export { type MigrationRef, decodeMigrationId, encodeMigrationId } from "./ids.ts";
export { type VspherePeer } from "./peers.ts";
export { type ByteRange, type DatastoreFile, type DiskChangeInfo, type MoveCallMethod, type MoveCallParam, type VsphereMoveApi, type VsphereMoveApiOptions, createVsphereMoveApi } from "./move-api.ts";
export { type ServiceContent, VimSession, type VimSessionOptions, isNotAuthenticated } from "./session.ts";
export { PinnedAgent, type TlsOptions, httpsAgentFor, normalizeThumbprint } from "./tls.ts";
export { DEFAULT_WSDL_PATH, type SoapExchange, type SoapHttpClient, type SoapTransportOptions, type VimCallOptions, type VimMethod, type VimTransport, createSoapTransport, endpointUrl } from "./transport.ts";
export { type MoRef, type Xml, el, escapeXml, moref } from "./xml.ts";
