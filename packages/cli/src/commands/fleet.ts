/** Fleet commands (evacuate, rebalance): filled in with the orchestrator. */
import type { Command } from "../command.ts";

export const fleetCommands: readonly Command[] = [];
