package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/vpx"
)

// installExtensions swaps the registry's VMs and the root PropertyCollector for vmshift's wrappers.
func installExtensions(k *knobs) {
	for _, obj := range simulator.Map.All("VirtualMachine") {
		if v, ok := obj.(*simulator.VirtualMachine); ok {
			simulator.Map.Put(&vmWrap{VirtualMachine: *v, knobs: k})
		}
	}
	if pc, ok := simulator.Map.Get(vpx.ServiceContent.PropertyCollector).(*simulator.PropertyCollector); ok {
		simulator.Map.Put(&pagingPC{PropertyCollector: *pc})
	}
}
