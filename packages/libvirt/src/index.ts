/**
 * @vmshift/libvirt: KVM/QEMU hosts through libvirt (virsh as a subprocess). Each configured
 * connection URI is a host; domains are VMs, identified by UUID.
 * @packageDocumentation
 */
export { type LibvirtAdapterOptions, createLibvirtAdapter } from "./adapter.ts";
export { type VirshArg, checkValue, virshArgv } from "./argv.ts";
export { LIBVIRT_CAPABILITIES } from "./capabilities.ts";
export { type LibvirtHostConfig, type LibvirtMigrationDefaults } from "./config.ts";
export { FAULT_TABLE, type FaultRow, classifyFault, virshError } from "./errors.ts";
export { type MigrationRef, decodeMigrationId, encodeMigrationId } from "./migration-id.ts";
export { IDEMPOTENT_COMMANDS, type VirshRetry } from "./resources/virsh.ts";
export { type RunOptions, type SpawnRunnerOptions, type VirshProcess, type VirshResult, type VirshRunner, countingRunner, spawnVirshRunner } from "./transport.ts";
