/** What every adapter module shares for one connection. */
import type { NutanixTransport } from "./transport.ts";

/** Options of the adapter beyond the connection. */
export interface NutanixBehaviour {
  /**
   * Availability zone extId sent as `targetAvailabilityZone` on cross-cluster moves (required by
   * `$actions/migrate`). Without it, cross-cluster migrations fail with CAPABILITY_UNAVAILABLE.
   */
  readonly availabilityZoneId?: string;
  /** Cold migrations: how long a guest/ACPI shutdown may take before a hard power-off, ms. Default 300 000. */
  readonly shutdownTimeoutMs?: number;
  /** Page size used when the caller gives none (1–100). Default 50. */
  readonly defaultPageSize?: number;
}

/** Shared by the adapter's modules. */
export interface NutanixContext {
  readonly transport: NutanixTransport;
  readonly behaviour: NutanixBehaviour;
}
