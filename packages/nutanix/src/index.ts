/**
 * @vmshift/nutanix: the Nutanix AHV adapter over Prism Central v4 (vmm, prism, clustermgmt),
 * with a v3 fallback for listing and power.
 * @packageDocumentation
 */
export { type NutanixAdapter, type NutanixAdapterOptions, createNutanixAdapter } from "./adapter.ts";
export { NUTANIX_CAPABILITIES, V3_FALLBACK_OVERRIDES } from "./capabilities.ts";
export type { NutanixBehaviour } from "./context.ts";
export { ERROR_TABLE, type ErrorRow, type NutanixFault, faultFromBody, faultFromTask, matchRow, toVmshiftError } from "./errors.ts";
export { buildPath, odataString, pathSegment, queryString } from "./escape.ts";
export { formatMigrationId, parseMigrationId, type MigrationId } from "./migration-id.ts";
export { type ApiVersions, probeApis } from "./probe.ts";
export { stepRequestId } from "./request-id.ts";
export type * from "./resources/v4-types.ts";
export { type HttpRequest, type HttpResponse, type NutanixAuth, type NutanixConnectionOptions, NutanixTransport } from "./transport.ts";
export { V3Api, type V3HostIntent, type V3VmIntent } from "./v3.ts";
