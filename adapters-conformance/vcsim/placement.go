package main

import (
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// drsEnabled reports whether cr is a cluster with DRS turned on (vcsim's clusters have it on).
func drsEnabled(cr types.ManagedObjectReference) bool {
	cl, ok := simulator.Map.Get(cr).(*simulator.ClusterComputeResource)
	if !ok {
		return false
	}
	if ex, ok := cl.ConfigurationEx.(*types.ClusterConfigInfoEx); ok && ex.DrsConfig.Enabled != nil {
		return *ex.DrsConfig.Enabled
	}
	return false
}

// hostsOf is the hosts of a compute resource (a cluster's, or a standalone host's one).
func hostsOf(cr types.ManagedObjectReference) []types.ManagedObjectReference {
	switch c := simulator.Map.Get(cr).(type) {
	case *simulator.ClusterComputeResource:
		return c.Host
	case *mo.ComputeResource:
		return c.Host
	}
	return nil
}

// placeInPool chooses the host for a relocate that names only a resource pool, as vSphere does
// (RelocateVM_Task / MigrateVM_Task: `host` may be omitted when the pool's compute resource is a
// standalone host or a DRS-enabled cluster; DRS then picks the host; a pool of a cluster without
// DRS needs a host: InvalidArgument). The stand-in for DRS: among the connected hosts outside
// maintenance mode, the one with the most memory left for the VM.
func (vm *vmWrap) placeInPool(pool types.ManagedObjectReference) (types.ManagedObjectReference, *soap.Fault) {
	owner := poolOf(pool).Owner
	hosts := hostsOf(owner)
	if _, standalone := simulator.Map.Get(owner).(*mo.ComputeResource); standalone && len(hosts) == 1 {
		return hosts[0], nil
	}
	if !drsEnabled(owner) {
		f, _ := invalidArgument("host", fmt.Sprintf("Resource pool %s belongs to cluster %s, which does not have DRS enabled: a host is required.", pool.Value, owner.Value))
		return types.ManagedObjectReference{}, f
	}
	var best types.ManagedObjectReference
	var bestFree int64
	found := false
	for _, hr := range hosts {
		h := hostOf(hr)
		if h == nil || h.Runtime.InMaintenanceMode || (h.Runtime.ConnectionState != "" && h.Runtime.ConnectionState != types.HostSystemConnectionStateConnected) {
			continue
		}
		free := h.Summary.Hardware.MemorySize - usedMemoryBytes(h, vm.Self)
		if !found || free > bestFree {
			best, bestFree, found = hr, free, true
		}
	}
	if !found {
		f, _ := invalidArgument("pool", fmt.Sprintf("Cluster %s has no connected host outside maintenance mode for DRS to choose.", owner.Value))
		return types.ManagedObjectReference{}, f
	}
	return best, nil
}
