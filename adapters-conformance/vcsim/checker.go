package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// provChecker answers CheckRelocate_Task (stock vcsim has the object, not the method) with the
// checks the relocate itself would apply: one CheckResult for the VM and target host, its errors
// the faults the relocate would end with (maintenance, disconnected host, memory, power state).
type provChecker struct {
	mo.VirtualMachineProvisioningChecker
}

// CheckRelocateTask runs the checks as a task whose result is an ArrayOfCheckResult.
func (c *provChecker) CheckRelocateTask(ctx *simulator.Context, req *types.CheckRelocate_Task) soap.HasFault {
	body := &methods.CheckRelocate_TaskBody{}
	vm, ok := simulator.Map.Get(req.Vm).(*vmWrap)
	if !ok {
		body.Fault_ = simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.Vm})
		return body
	}
	m, fault := vm.plan(req.Spec.Host, req.Spec.Pool, req.Spec.Datastore)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	t := newTask(c.Self, "checkRelocate")
	body.Res = &types.CheckRelocate_TaskResponse{Returnval: t.start(func() (types.AnyType, types.BaseMethodFault, string) {
		result := types.CheckResult{Vm: &req.Vm, Host: &m.host}
		var f types.BaseMethodFault
		var msg string
		simulator.Map.WithLock(vm, func() { f, msg = vm.admit(m, "") })
		if f != nil {
			result.Error = []types.LocalizedMethodFault{{Fault: f, LocalizedMessage: msg}}
		}
		return types.ArrayOfCheckResult{CheckResult: []types.CheckResult{result}}, nil, ""
	})}
	return body
}
