/**
 * What each platform vmshift ships an adapter for is documented to offer, capability by capability
 * (the ones the scenarios need), each with its source: an upstream URL, or the documented fact
 * quoted from vmshift's platform references (the research notes kept with the design, copied here so
 * the claim travels with the suite). Targets use these as their {@link PlatformDeclaration}, narrowed
 * where the environment they run differs from the real platform (and then say why).
 */
import { type PlatformDeclaration, lacking, offered } from "./platform.ts";

/** @vmshift/simulator: the reference platform, in memory. */
export const SIMULATOR_PLATFORM: PlatformDeclaration = {
  name: "the vmshift simulator (in-memory reference platform)",
  capabilities: {
    ...Object.fromEntries(
      (
        [
          "vm.list",
          "vm.get",
          "host.list",
          "preflight",
          "migration.live",
          "migration.cold",
          "migration.explicitTarget",
          "migration.schedulerChoosesTarget",
          "migration.cancel",
          "migration.attach",
          "migration.watch",
          "migration.bandwidthLimit",
          "migration.autoConverge",
          "migration.postCopy",
          "migration.maxDowntime",
        ] as const
      ).map((c) => [c, offered("vmshift DESIGN §2: the simulator 'implements 100% of the contract, pre-copy model, delays, fault injection' (packages/simulator: scheduler, cancel, attach across adapter instances, watch streams; the pre-copy engine applies a request's bandwidth cap, auto-converge, post-copy and downtime limit)")]),
    ),
    "migration.storage": lacking("packages/simulator/src/capabilities.ts: 'storage ids are accepted and recorded; disks are not modelled': nothing moves to another storage"),
    "migration.crossCluster": lacking("the simulator's world is one set of hosts (packages/simulator/src/inventory.ts): a cluster id is recorded with the migration, no other cluster exists"),
  },
};

/** KubeVirt (≥ 1.6) on Kubernetes. */
export const KUBEVIRT_PLATFORM: PlatformDeclaration = {
  name: "KubeVirt ≥ 1.6 on Kubernetes",
  capabilities: {
    "vm.list": offered("https://kubevirt.io/api-reference/: GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines (list with limit/continue)"),
    "vm.get": offered("https://kubevirt.io/api-reference/: GET …/virtualmachines/{name} and …/virtualmachineinstances/{name}"),
    "host.list": offered("https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/node-v1/: GET /api/v1/nodes"),
    preflight: offered("the VMI's LiveMigratable condition, node schedulability and allocatable resources are readable (reference kubevirt.md §3, §9)"),
    "migration.live": offered("https://kubevirt.io/user-guide/compute/live_migration/: a VirtualMachineInstanceMigration object starts a live migration"),
    "migration.cold": offered("reference kubevirt.md §10.2 'Cold migration recipe (no dedicated API)': stop (PUT …/stop), re-target spec.template.spec.nodeSelector, start"),
    "migration.explicitTarget": offered("reference kubevirt.md §1: VMIM spec.addedNodeSelector 'Since v1.6 … Typical use is to target a node: {\"kubernetes.io/hostname\": \"node02\"}' (https://github.com/kubevirt/kubevirt/pull/12725)"),
    "migration.schedulerChoosesTarget": offered("https://kubevirt.io/user-guide/compute/live_migration/: without a node selector the target pod is placed by the Kubernetes scheduler"),
    "migration.cancel": offered("reference kubevirt.md §4: 'To cancel, delete the VMIM: DELETE …/virtualmachineinstancemigrations/{name}. This is exactly what virtctl migrate-cancel does'"),
    "migration.attach": offered("the VirtualMachineInstanceMigration is an API object: any client reads and watches it by namespace/name (reference kubevirt.md §1)"),
    "migration.watch": offered("https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes: list+watch with resourceVersion pushes every change of the VMIM and the VMI"),
    "migration.bandwidthLimit": offered("https://kubevirt.io/user-guide/cluster_admin/migration_policies/: a MigrationPolicy (migrations.kubevirt.io/v1alpha1) matching the VMI sets bandwidthPerMigration (reference kubevirt.md §7.1-7.2: 'Quantity per second', 0Mi = unlimited)"),
    "migration.autoConverge": offered("https://kubevirt.io/user-guide/cluster_admin/migration_policies/: MigrationPolicy allowAutoConverge (reference kubevirt.md §7.1: 'CPU throttling', default false)"),
    "migration.postCopy": offered("https://kubevirt.io/user-guide/cluster_admin/migration_policies/: MigrationPolicy allowPostCopy (reference kubevirt.md §7.1: 'Needs vm.unprivileged_userfaultfd=1 on the nodes')"),
    "migration.maxDowntime": offered("reference kubevirt.md §7.1-7.2: MigrationConfiguration and MigrationPolicy maxDowntimeMs 'v1.9; range 1..2000000' (the policy validator wants the MigrationStallDetection feature gate)"),
    "migration.storage": offered("https://kubevirt.io/user-guide/storage/volume_migration/: 'set spec.updateVolumesStrategy: Migration on the VM, then change the VM's volumes to point at the new PVC/DV' (reference kubevirt.md §11.1); KubeVirt copies the disks with a live migration"),
    "migration.crossCluster": offered("reference kubevirt.md §2.1, §11.2: VMIM spec.sendTo {migrationID, connectURL} on the source and spec.receive on the target cluster, 'Since v1.6 … decentralized (cross-namespace or cross-cluster) migration', Alpha feature gate DecentralizedLiveMigration"),
  },
};

/** VMware vSphere (vCenter, vim25). */
export const VSPHERE_PLATFORM: PlatformDeclaration = {
  name: "VMware vSphere (vCenter, vim25 API)",
  capabilities: {
    "vm.list": offered("reference vsphere.md §4: ContainerView + RetrievePropertiesEx with maxObjects, ContinueRetrievePropertiesEx(token) for bulk reads"),
    "vm.get": offered("reference vsphere.md §4: RetrievePropertiesEx on a VirtualMachine (runtime.host, runtime.powerState)"),
    "host.list": offered("reference vsphere.md §4: ContainerView of HostSystem + RetrievePropertiesEx"),
    preflight: offered("reference vsphere.md §2: CheckRelocate_Task / CheckMigrate_Task / QueryVMotionCompatibilityEx_Task test a proposed move"),
    "migration.live": offered("reference vsphere.md §1: VirtualMachine.RelocateVM_Task (vMotion) on a powered-on VM"),
    "migration.cold": offered("reference vsphere.md §1-2: RelocateVM_Task on a powered-off VM ('Resource.ColdMigrate' privilege)"),
    "migration.explicitTarget": offered("reference vsphere.md §1: RelocateVM_Task spec.host names the target host"),
    "migration.schedulerChoosesTarget": offered("reference vsphere.md §1: 'host may be omitted if the pool's compute resource is a standalone host or a DRS-enabled cluster; DRS then picks the host'"),
    "migration.cancel": offered("reference vsphere.md §3.4: Task.CancelTask(); 'A cancelled task ends with state=error, cancelled=true and error.fault = RequestCanceled'"),
    "migration.attach": offered("a vMotion is a Task managed object: any session reads it by moref (reference vsphere.md §3)"),
    "migration.watch": offered("reference vsphere.md §4: PropertyCollector CreateFilter + WaitForUpdatesEx 'blocks until something changes' (info.progress, info.state)"),
    "migration.bandwidthLimit": lacking("reference vsphere.md §1-2: RelocateVM_Task takes a VirtualMachineRelocateSpec (service, folder, datastore, diskMoveType, pool, host, disk, deviceChange) and a priority: no bandwidth per migration (vMotion bandwidth is the host's vMotion network)"),
    "migration.autoConverge": lacking("reference vsphere.md §1-2: neither RelocateVM_Task nor its RelocateSpec has a convergence option; vMotion's Stun During Page Send engages on its own"),
    "migration.postCopy": lacking("reference vsphere.md §1-2: RelocateVM_Task / RelocateSpec offer no post-copy mode; vMotion is pre-copy"),
    "migration.maxDowntime": lacking("reference vsphere.md §1-2: RelocateVM_Task / RelocateSpec take no downtime limit"),
    "migration.storage": offered("reference vsphere.md §1-2: RelocateVM_Task moves 'Compute, storage (VM home and per-disk)'; RelocateSpec.datastore is 'the target datastore for the VM home directory' (Storage vMotion)"),
    "migration.crossCluster": offered("reference vsphere.md §1-2: RelocateSpec pool/host of another cluster; 'cross-vCenter vMotion' with spec.service (ServiceLocator)"),
  },
};

/** Nutanix AHV through Prism Central v4. */
export const NUTANIX_PLATFORM: PlatformDeclaration = {
  name: "Nutanix AHV (Prism Central v4 API)",
  capabilities: {
    "vm.list": offered("reference nutanix.md §1.6: GET /api/vmm/v4.0/ahv/config/vms?$filter=…&$page=…&$limit=…"),
    "vm.get": offered("reference nutanix.md §1.2: GET /api/vmm/v4.0/ahv/config/vms/{extId} (with ETag)"),
    "host.list": offered("reference nutanix.md §1.6: GET /api/clustermgmt/v4.0/config/hosts"),
    preflight: offered("reference nutanix.md §1.11: isLiveMigrateCapable, hypervisor.state=ACROPOLIS_NORMAL, maintenance, VM-host affinity policies are readable"),
    "migration.live": offered("reference nutanix.md §1.3: POST /api/vmm/v4.0/ahv/config/vms/{vmExtId}/$actions/migrate-to-host (live)"),
    "migration.cold": offered("reference nutanix.md §1.7: power actions (shutdown, power-on) and cross-cluster $actions/migrate with isLiveMigration:false"),
    "migration.explicitTarget": offered("reference nutanix.md §1.3: VmMigrateToHostParams { host: HostReference{extId} } names the destination host"),
    "migration.schedulerChoosesTarget": lacking("reference nutanix.md §1.3: migrate-to-host's 'host is the only field, and it is required'; AHV places a VM itself only on power-on or a cross-cluster migrate"),
    "migration.cancel": lacking("reference nutanix.md §1.5: task cancel is 'supported only if isCancelable is set as True'; 'The migrate-to-host sample shows isCancelable:false, so treat intra-cluster live migration as not cancellable'"),
    "migration.attach": offered("reference nutanix.md §1.5: GET /api/prism/v4.0/config/tasks/{extId} from any session"),
    "migration.watch": lacking("reference nutanix.md §1.5: tasks are read with GET …/tasks/{extId}; the reference poller (nutanix.ansible) polls every 2 s; Prism has no push channel for task progress"),
    "migration.bandwidthLimit": lacking("reference nutanix.md §1.3: migrate-to-host's 'host is the only field, and it is required' (only the deprecated Acropolis v0.8 POST /vms/{id}/migrate took bandwidthMbps, §3.3; the v4 API this declaration covers does not)"),
    "migration.autoConverge": lacking("reference nutanix.md §1.3: VmMigrateToHostParams has the host only; AHV's convergence is not exposed by the v4 API"),
    "migration.postCopy": lacking("reference nutanix.md §1.3: VmMigrateToHostParams has the host only; no post-copy switch in the v4 API"),
    "migration.maxDowntime": lacking("reference nutanix.md §1.3: VmMigrateToHostParams has the host only; no downtime limit in the v4 API"),
    "migration.storage": offered("Prism Central vmm v4.0 API: POST /api/vmm/v4.0/ahv/config/vms/{extId}/$actions/migrate-vm-disks, 'VmDisk migration between storage containers' (request body VmmV40AhvConfigDiskMigrationParams; Nutanix v4 SDK, VmApi.migrate_vm_disks)"),
    "migration.crossCluster": offered("reference nutanix.md §1.4: 'Cross-cluster migrate: $actions/migrate (live or cold)', POST /api/vmm/v4.0/ahv/config/vms/{extId}/$actions/migrate"),
  },
};

/** Microsoft Hyper-V (standalone hosts, managed remotely). */
export const HYPERV_PLATFORM: PlatformDeclaration = {
  name: "Microsoft Hyper-V (Move-VM on standalone hosts, through PowerShell remoting)",
  capabilities: {
    "vm.list": offered("reference hyperv.md §1: Get-VM on each host"),
    "vm.get": offered("reference hyperv.md §2.4: 'verify with Get-VM -ComputerName <dest> -Id <guid> (check ComputerName and State)'"),
    "host.list": offered("reference hyperv.md §1: Get-VMHost / the configured host list"),
    preflight: offered("reference hyperv.md §1.2: Compare-VM returns a compatibility report for a proposed move"),
    "migration.live": offered("reference hyperv.md §1.1: Move-VM -Name <vm> -DestinationHost <host> (live)"),
    "migration.cold": offered("reference hyperv.md §1.1: 'Move-VM also moves powered-off VMs'; cold building blocks Stop-VM / Move-VM / Start-VM"),
    "migration.explicitTarget": offered("reference hyperv.md §1.1: Move-VM [-DestinationHost] <String> (mandatory, position 1)"),
    "migration.schedulerChoosesTarget": lacking("reference hyperv.md §1.1: Move-VM's -DestinationHost is mandatory; standalone Hyper-V has no placement service"),
    "migration.cancel": offered("reference hyperv.md §2.4: Msvm_MigrationJob RequestStateChange(4) when Cancellable; clustered VMs: Move-ClusterVirtualMachineRole -Cancel"),
    "migration.attach": offered("reference hyperv.md §2.4: 'Progress of a running Move-VM is visible whatever started it' through Msvm_MigrationJob"),
    "migration.watch": lacking("reference hyperv.md §2.4: 'poll Msvm_MigrationJob every 2–5 s for PercentComplete and JobState'; no push channel for migration progress"),
    "migration.bandwidthLimit": lacking("reference hyperv.md §1.1: Move-VM's parameter sets take no bandwidth; Msvm_VirtualSystemMigrationSettingData's Bandwidth is read-only (§2.2); only host-wide limits exist (Set-SmbBandwidthLimit for SMB transport)"),
    "migration.autoConverge": lacking("reference hyperv.md §1.1: Move-VM has no convergence option (its parameter sets list every switch)"),
    "migration.postCopy": lacking("reference hyperv.md §1.1: Move-VM has no post-copy mode"),
    "migration.maxDowntime": lacking("reference hyperv.md §1.1: Move-VM takes no downtime limit"),
    "migration.storage": offered("reference hyperv.md §1.1: 'Move-VM -Name 'Test VM' -DestinationHost remoteServer -IncludeStorage -DestinationStoragePath D:\\TestVM is a shared-nothing move'"),
    "migration.crossCluster": lacking("this declaration covers Move-VM between standalone Hyper-V hosts (reference hyperv.md §1.1), which belong to no cluster; moving a clustered VM to another cluster means removing its cluster role first (not a migration of the platform's)"),
  },
};

/** libvirt (QEMU/KVM) hosts through virsh. */
export const LIBVIRT_PLATFORM: PlatformDeclaration = {
  name: "libvirt (QEMU/KVM) hosts through virsh",
  capabilities: {
    "vm.list": offered("reference qemu-libvirt.md §6: virsh list --all --uuid --name on each connection"),
    "vm.get": offered("reference qemu-libvirt.md §6: virsh dominfo / domstate --reason"),
    "host.list": offered("reference qemu-libvirt.md §6: one libvirt connection per host (nodeinfo, nodememstats)"),
    preflight: offered("reference qemu-libvirt.md §6: domain state, hypervisor-cpu-compare and node memory are readable before a move"),
    "migration.live": offered("reference qemu-libvirt.md §6.4: 'virsh migrate --live', p2p and non-p2p"),
    "migration.cold": offered("libvirt defines a stopped domain on another host (virsh dumpxml + define, or migrate --offline): https://libvirt.org/manpages/virsh.html#migrate"),
    "migration.explicitTarget": offered("reference qemu-libvirt.md §6.4: virsh migrate <dom> <desturi>"),
    "migration.schedulerChoosesTarget": lacking("libvirt manages single hosts: virsh migrate requires the destination URI; there is no scheduler (https://libvirt.org/manpages/virsh.html#migrate)"),
    "migration.cancel": offered("reference qemu-libvirt.md §6.4: 'virsh domjobabort lm1 during a migration … The domain keeps running on A'"),
    "migration.attach": offered("reference qemu-libvirt.md §6.5: virsh domjobinfo <dom> on the source shows the running migration job to any client"),
    "migration.watch": lacking("reference qemu-libvirt.md §6.5: progress (data processed/remaining) comes from virsh domjobinfo, polled; libvirt's events carry only the iteration number (migration-iteration) and the end (job-completed), not progress"),
    "migration.bandwidthLimit": offered("https://libvirt.org/manpages/virsh.html#migrate: virsh migrate --bandwidth <MiB/s>"),
    "migration.autoConverge": offered("https://libvirt.org/manpages/virsh.html#migrate: virsh migrate --auto-converge [--auto-converge-initial] [--auto-converge-increment]"),
    "migration.postCopy": offered("https://libvirt.org/manpages/virsh.html#migrate: virsh migrate --postcopy, then virsh migrate-postcopy (reference qemu-libvirt.md §5.5)"),
    "migration.maxDowntime": offered("https://libvirt.org/manpages/virsh.html#migrate-setmaxdowntime: virsh migrate-setmaxdowntime <domain> <ms> while the migration runs"),
    "migration.storage": offered("https://libvirt.org/manpages/virsh.html#migrate: virsh migrate --copy-storage-all copies non-shared disks with the domain"),
    "migration.crossCluster": lacking("libvirt manages single hosts through connections: it has no cluster to migrate between (https://libvirt.org/manpages/virsh.html#migrate takes a destination URI, a host)"),
  },
};
