/** The KubeVirt API environment (test infrastructure, not part of the published adapter). */
export { KubevirtEnv, type KubevirtEnvOptions, requestKind } from "./env.ts";
export { Controllers, DEFAULT_TIMING, type EnvTiming, type VmFaults } from "./controller.ts";
export { ApiServer, type Exchange, applyPatch, route } from "./http.ts";
export { SEED, seedCluster } from "./seed.ts";
export { ApiError, Store, matchFields, matchLabels, type StoredObject } from "./store.ts";
export { SPEC_PATH, validateAgainst, type SchemaCause } from "./schema.ts";
export { registerResource, resources, type PrinterColumn, type ResourceDefinition } from "./resources.ts";
export { DECENTRALIZED_GATE, SyncNetwork, decentralizedGateOn, setDecentralizedGate, syncAddress } from "./decentralized.ts";
export { type EnvPairing, type PairOptions, pairEnvs } from "./pairing.ts";
export { CdiEnvironment, type CdiOptions, issueUploadToken, verifyUploadToken } from "./cdi.ts";
