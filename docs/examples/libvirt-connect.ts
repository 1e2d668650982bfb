/** libvirt: two KVM hosts over SSH, a peer-to-peer live migration. Type-checked here; running it needs the hosts. */
// #region docs
import { createClient } from "@vmshift/core";
import { createLibvirtAdapter } from "@vmshift/libvirt";

const client = createClient(createLibvirtAdapter({
  hosts: [
    { id: "kvm-01", uri: "qemu+ssh://root@kvm-01/system" },
    { id: "kvm-02", uri: "qemu+ssh://root@kvm-02/system", peerUri: "qemu+tcp://kvm-02.migration.lan/system" },
  ],
}));
const task = await client.startMigration({ vmId: "69e278fe-d622-4530-be40-48fc3d033484", targetHostId: "kvm-02" });
console.log(await task.wait());
// #endregion docs
