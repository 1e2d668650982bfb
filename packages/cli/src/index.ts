/**
 * @vmshift/cli: the `vmshift` command. Thin: all logic lives in core and the adapters.
 * @packageDocumentation
 */
export { COMMANDS, main } from "./main.ts";
export { EXIT, type CliIo, type ExitCode, type PromptOptions } from "./io.ts";
export { type ResolvedProfile, configPath, loadProfile } from "./profiles.ts";
export { type Connection, PLATFORMS, type PlatformFactory, connect } from "./platforms.ts";
