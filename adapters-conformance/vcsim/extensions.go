package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/vpx"
	"github.com/vmware/govmomi/vim25/mo"
)

// installExtensions swaps the registry's VMs, the root PropertyCollector and the provisioning
// checker for vmshift's wrappers.
func installExtensions(k *knobs) {
	for _, obj := range simulator.Map.All("VirtualMachine") {
		if v, ok := obj.(*simulator.VirtualMachine); ok {
			simulator.Map.Put(&vmWrap{VirtualMachine: *v, knobs: k})
		}
	}
	if pc, ok := simulator.Map.Get(vpx.ServiceContent.PropertyCollector).(*simulator.PropertyCollector); ok {
		simulator.Map.Put(&pagingPC{PropertyCollector: *pc})
	}
	if ref := vpx.ServiceContent.VmProvisioningChecker; ref != nil {
		simulator.Map.Put(&provChecker{VirtualMachineProvisioningChecker: mo.VirtualMachineProvisioningChecker{Self: *ref}})
	}
}
