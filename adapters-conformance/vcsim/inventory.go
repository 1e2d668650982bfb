package main

import (
	"fmt"
	"sort"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// fullHostMemoryBytes is the memory of a "full" host: less than any simulated VM needs.
const fullHostMemoryBytes = 16 << 20

func ref(kind, value string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: kind, Value: value}
}

// vmMO digs the managed-object view out of a registry VM, wrapped or not.
func vmMO(obj mo.Reference) *mo.VirtualMachine {
	switch v := obj.(type) {
	case *vmWrap:
		return &v.VirtualMachine.VirtualMachine
	case *simulator.VirtualMachine:
		return &v.VirtualMachine
	}
	return nil
}

func hostOf(r types.ManagedObjectReference) *simulator.HostSystem {
	h, _ := simulator.Map.Get(r).(*simulator.HostSystem)
	return h
}

func poolOf(r types.ManagedObjectReference) *simulator.ResourcePool {
	p, _ := simulator.Map.Get(r).(*simulator.ResourcePool)
	return p
}

// computeResourceOf is the cluster or standalone compute resource a host belongs to.
func computeResourceOf(h *simulator.HostSystem) types.ManagedObjectReference {
	if h.Parent == nil {
		return types.ManagedObjectReference{}
	}
	return *h.Parent
}

// rootPoolOf is the root resource pool of a compute resource.
func rootPoolOf(cr types.ManagedObjectReference) *types.ManagedObjectReference {
	for _, obj := range simulator.Map.All("ResourcePool") {
		if p, ok := obj.(*simulator.ResourcePool); ok && p.Owner == cr && p.Parent != nil && p.Parent.Type != "ResourcePool" {
			self := p.Self
			return &self
		}
	}
	return nil
}

func currentHost(vm string) string {
	m := vmMO(simulator.Map.Get(ref("VirtualMachine", vm)))
	if m == nil || m.Runtime.Host == nil {
		return ""
	}
	return m.Runtime.Host.Value
}

// moveVM places a VM on host (and pool), keeping HostSystem.vm and ResourcePool.vm consistent.
func moveVM(vmObj mo.Reference, host types.ManagedObjectReference, pool *types.ManagedObjectReference) {
	var oldHost, oldPool *types.ManagedObjectReference
	var self types.ManagedObjectReference
	simulator.Map.WithLock(vmObj, func() {
		m := vmMO(vmObj)
		self = m.Self
		oldHost, oldPool = m.Runtime.Host, m.ResourcePool
		changes := []types.PropertyChange{
			{Name: "runtime.host", Val: host},
			{Name: "summary.runtime.host", Val: host},
		}
		if pool != nil {
			changes = append(changes, types.PropertyChange{Name: "resourcePool", Val: *pool})
		}
		simulator.Map.Update(vmObj, changes)
	})
	if oldHost != nil && *oldHost != host {
		if h := hostOf(*oldHost); h != nil {
			simulator.Map.RemoveReference(h, &h.Vm, self)
		}
	}
	if h := hostOf(host); h != nil {
		simulator.Map.AddReference(h, &h.Vm, self)
	}
	if pool != nil && oldPool != nil && *oldPool != *pool {
		if p := poolOf(*oldPool); p != nil {
			simulator.Map.RemoveReference(p, &p.Vm, self)
		}
		if p := poolOf(*pool); p != nil {
			simulator.Map.AddReference(p, &p.Vm, self)
		}
	}
}

// firstCluster is the cluster with the lowest moref (the simulator numbers them in creation order).
func firstCluster() *simulator.ClusterComputeResource {
	all := simulator.Map.All("ClusterComputeResource")
	sort.Slice(all, func(i, j int) bool {
		return len(all[i].Reference().Value) < len(all[j].Reference().Value) || (len(all[i].Reference().Value) == len(all[j].Reference().Value) && all[i].Reference().Value < all[j].Reference().Value)
	})
	for _, c := range all {
		if cl, ok := c.(*simulator.ClusterComputeResource); ok {
			return cl
		}
	}
	return nil
}

// shapeInventory puts the last `maintenance` hosts of the first cluster in maintenance mode and
// makes the `full` hosts before them almost memory-less, moving their VMs to the cluster's first host.
func shapeInventory(maintenance, full int) error {
	cl := firstCluster()
	if cl == nil {
		if maintenance+full > 0 {
			return fmt.Errorf("no cluster to shape (use -cluster >= 1)")
		}
		return nil
	}
	hosts := cl.Host
	if maintenance+full >= len(hosts) {
		return fmt.Errorf("cluster %s has %d hosts: too few for %d maintenance + %d full hosts and a usable one", cl.Self.Value, len(hosts), maintenance, full)
	}
	keep := hosts[0]
	for i, hr := range hosts {
		fromEnd := len(hosts) - 1 - i
		isMaint := fromEnd < maintenance
		isFull := !isMaint && fromEnd < maintenance+full
		if !isMaint && !isFull {
			continue
		}
		h := hostOf(hr)
		for _, vr := range append([]types.ManagedObjectReference(nil), h.Vm...) {
			moveVM(simulator.Map.Get(vr), keep, nil)
		}
		if isMaint {
			simulator.Map.Update(h, []types.PropertyChange{
				{Name: "runtime.inMaintenanceMode", Val: true},
				{Name: "summary.runtime.inMaintenanceMode", Val: true},
			})
		}
		if isFull {
			hw := *h.Summary.Hardware
			hw.MemorySize = fullHostMemoryBytes
			h.Summary.Hardware = &hw
			if h.Hardware != nil {
				info := *h.Hardware
				info.MemorySize = fullHostMemoryBytes
				h.Hardware = &info
			}
		}
	}
	return nil
}
