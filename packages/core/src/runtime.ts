/**
 * The runtime floor, checked first thing when `@vmshift/core` loads (index.ts imports this module
 * before anything else, and every vmshift package loads core): on an older Node.js the packages
 * stop with one line that says what they need, instead of an obscure failure further in.
 * Node.js 22.12 is the floor because `require()` of these ES modules works unflagged from there.
 */

/** The oldest Node.js vmshift runs on, as `[major, minor]`. */
export const MINIMUM_NODE = [22, 12] as const;

/** Whether `version` (`process.versions.node`, e.g. `"22.12.0"`) meets {@link MINIMUM_NODE}. */
export function nodeIsSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
}

/** The one line printed (CLI) or thrown (library) on an unsupported Node.js. */
export function unsupportedNodeMessage(version: string): string {
  return `vmshift needs Node.js >= ${MINIMUM_NODE.join(".")}, this is v${version}: install a current Node.js (https://nodejs.org) and run it again`;
}

const running = globalThis.process?.versions?.node;
if (running !== undefined && !nodeIsSupported(running)) {
  const error = new Error(unsupportedNodeMessage(running));
  error.stack = error.message; // the line is the whole story; a stack into this file adds nothing
  throw error;
}
