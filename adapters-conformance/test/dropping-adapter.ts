/**
 * A mutant for the suite's self-tests: an adapter that declares what the original declares, but
 * whose starts lose one request field on the way to the platform (so the platform runs a plain
 * migration while the adapter still reports how it ended).
 */
import type { HypervisorAdapter, MigrationRequest, NormalizedMigrationRequest, OperationContext } from "@vmshift/core";

/** `adapter`, except that its starts lose `field`. */
export function dropping<T extends HypervisorAdapter>(adapter: T, field: keyof MigrationRequest): T {
  return new Proxy(adapter, {
    get(target, property) {
      if (property === "startMigration") {
        return (request: NormalizedMigrationRequest, ctx: OperationContext) => {
          const { [field]: _dropped, ...rest } = request;
          return target.startMigration!(rest as NormalizedMigrationRequest, ctx);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
