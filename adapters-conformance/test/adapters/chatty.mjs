/**
 * A chatty adapter: correct, but before every start it re-reads the whole inventory (every page
 * of VMs and hosts, and the VM three times) instead of reading once.
 */
export default ({ simulatorTargetFor }) =>
  simulatorTargetFor(
    ({ api }) => ({
      ...api,
      name: "chatty",
      async startMigration(request, ctx) {
        for (let cursor, page; (page = await api.listVms({ pageSize: 2, ...(cursor ? { cursor } : {}) }, ctx)), (cursor = page.nextCursor); );
        await api.listHosts({}, ctx);
        for (let i = 0; i < 3; i++) await api.getVm(request.vmId, ctx);
        return api.startMigration(request, ctx);
      },
    }),
    { name: "chatty-on-simulator" },
  );
