/**
 * @vmshift/hyperv: the Microsoft Hyper-V adapter of vmshift, over PowerShell (node-powershell
 * behind the {@link PowerShellRunner} interface), local or through PowerShell remoting.
 * @packageDocumentation
 */
export { type HypervAdapterOptions, createHypervAdapter } from "./adapter.ts";
export { HYPERV_CAPABILITIES, HYPERV_LIMITS } from "./capabilities.ts";
export { PS_SINGLE_QUOTES, type PsValue, psString, psValue, readPsString } from "./encode.ts";
export { ERROR_TABLE, type ErrorContext, type ErrorRow, type PowerShellFault, matchErrorRow, toVmshiftError } from "./errors.ts";
export { type MigrationRef, decodeMigrationId, encodeMigrationId } from "./migration-id.ts";
export { type Envelope, normalize as normalizePowerShellJson, parseEnvelope } from "./psjson.ts";
export { type RecordedExchange, RecordingTransport, type RecordingTransportOptions, parseScript, redactTranscript } from "./recorder.ts";
export { type PowerShellRunner, type RunOptions, type RunnerOptions, createRunner } from "./runner.ts";
export { type ScriptParams, type ScriptTemplate, renderScript, scriptFromWire, wireCommand } from "./script.ts";
export { SCRIPTS, type ScriptName } from "./scripts/index.ts";
export {
  NodePowerShellTransport,
  type NodePowerShellTransportOptions,
  type PowerShellTransport,
  type RemoteAuthentication,
  type RemoteDescription,
  type RemoteOptions,
  type ShellLike,
  type ShellOptions,
  sessionSetup,
} from "./transport.ts";
export { createNodePowerShellRunner } from "./factory.ts";
