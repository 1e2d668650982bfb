/**
 * A hollow adapter: its capability table says everything is unsupported and it implements nothing.
 * The suite must fail it (the core set), not pass it with "skipped" everywhere.
 */
export default ({ simulatorTargetFor, core }) =>
  simulatorTargetFor(() => ({ name: "hollow", capabilities: Object.fromEntries(core.CAPABILITY_NAMES.map((c) => [c, core.unsupported("hollow adapter")])) }), { name: "hollow-on-simulator" });
