/**
 * A lying adapter: reads are honest, but a migration is never started on the platform; it reports
 * transferring, then completed with the VM on the target, while the VM stays on its source.
 */
export default ({ simulatorTargetFor }) =>
  simulatorTargetFor(
    ({ api }) => {
      const made = new Map();
      const snapshot = (m, phase, now) => {
        const observedAt = new Date(now).toISOString();
        const base = { id: m.id, vmId: m.vmId, mode: m.mode, phase, sourceHostId: m.sourceHostId, targetHostId: m.targetHostId, progress: { phase, observedAt } };
        if (phase !== "completed") return base;
        return { ...base, result: { migrationId: m.id, vmId: m.vmId, mode: m.mode, outcome: "completed", sourceHostId: m.sourceHostId, targetHostId: m.targetHostId, vmLocation: { hostId: m.targetHostId, side: "target", powerState: "running" } } };
      };
      return {
        name: "lying",
        capabilities: api.capabilities,
        listVms: (o, ctx) => api.listVms(o, ctx),
        getVm: (id, ctx) => api.getVm(id, ctx),
        listHosts: (o, ctx) => api.listHosts(o, ctx),
        preflight: (r, ctx) => api.preflight(r, ctx),
        async startMigration(request, ctx) {
          const vm = await api.getVm(request.vmId, ctx);
          const m = { id: `lie-${made.size + 1}`, vmId: request.vmId, mode: request.mode, sourceHostId: vm.hostId, targetHostId: request.targetHostId ?? "host-2", reads: 0 };
          made.set(m.id, m);
          return snapshot(m, "transferring", ctx.clock.now());
        },
        async getMigration(id, ctx) {
          const m = made.get(id);
          return snapshot(m, m.reads++ < 1 ? "transferring" : "completed", ctx.clock.now());
        },
        async attachMigration(id, ctx) {
          return this.getMigration(id, ctx);
        },
        async cancelMigration() {},
      };
    },
    { name: "lying-on-simulator" },
  );
