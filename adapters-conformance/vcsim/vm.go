package main

import (
	"fmt"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vmWrap replaces the simulator's VirtualMachine: validating, asynchronous RelocateVM_Task and
// MigrateVM_Task, and an injectable power-on failure. Embedded by value (field 0) so the
// property collector still sees mo.VirtualMachine.
type vmWrap struct {
	simulator.VirtualMachine
	knobs *knobs
}

// move is a validated relocation.
type move struct {
	host      types.ManagedObjectReference
	pool      *types.ManagedObjectReference
	datastore *types.ManagedObjectReference
}

func notFound(r types.ManagedObjectReference) (*soap.Fault, bool) {
	msg := fmt.Sprintf("The object '%s:%s' has already been deleted or has not been completely created", r.Type, r.Value)
	return simulator.Fault(msg, &types.ManagedObjectNotFound{Obj: r}), false
}

func invalidArgument(property, msg string) (*soap.Fault, bool) {
	return simulator.Fault("A specified parameter was not correct: "+property+". "+msg, &types.InvalidArgument{InvalidProperty: property}), false
}

// plan checks the references of a relocate/migrate request the way vCenter does before it
// creates a task: unknown or wrong-type morefs, a host outside the pool's compute resource.
func (vm *vmWrap) plan(host, pool, ds *types.ManagedObjectReference) (move, *soap.Fault) {
	var m move
	cur := vm.Runtime.Host
	if host == nil && pool != nil && pool.Type == "ResourcePool" && poolOf(*pool) != nil && cur != nil && hostOf(*cur) != nil && poolOf(*pool).Owner != computeResourceOf(hostOf(*cur)) {
		// Only a pool of another compute resource: its DRS (or its single host) chooses the host.
		chosen, f := vm.placeInPool(*pool)
		if f != nil {
			return m, f
		}
		host = &chosen
	}
	if host != nil {
		if host.Type != "HostSystem" || hostOf(*host) == nil {
			f, _ := notFound(*host)
			return m, f
		}
		m.host = *host
	} else if cur != nil {
		m.host = *cur
	}
	if pool != nil {
		if pool.Type != "ResourcePool" || poolOf(*pool) == nil {
			f, _ := notFound(*pool)
			return m, f
		}
	}
	if ds != nil {
		if ds.Type != "Datastore" || simulator.Map.Get(*ds) == nil {
			f, _ := notFound(*ds)
			return m, f
		}
	}
	target := hostOf(m.host)
	if target == nil {
		f, _ := invalidArgument("host", "The virtual machine has no host.")
		return m, f
	}
	cr := computeResourceOf(target)
	switch {
	case pool != nil:
		if poolOf(*pool).Owner != cr {
			f, _ := invalidArgument("host", fmt.Sprintf("Host %s is not part of the compute resource of resource pool %s.", m.host.Value, pool.Value))
			return m, f
		}
		m.pool = pool
	case cur != nil && hostOf(*cur) != nil && computeResourceOf(hostOf(*cur)) != cr:
		f, _ := invalidArgument("pool", fmt.Sprintf("Host %s is in another compute resource; a resource pool of that compute resource is required.", m.host.Value))
		return m, f
	}
	if ds != nil {
		visible := false
		for _, d := range target.Datastore {
			if d == *ds {
				visible = true
			}
		}
		if !visible {
			f, _ := invalidArgument("datastore", fmt.Sprintf("Datastore %s is not accessible from host %s.", ds.Value, m.host.Value))
			return m, f
		}
		m.datastore = ds
	}
	return m, nil
}

// usedMemoryBytes is the configured memory of the powered-on VMs on a host, except `except`.
func usedMemoryBytes(h *simulator.HostSystem, except types.ManagedObjectReference) int64 {
	var used int64
	for _, r := range h.Vm {
		if r == except {
			continue
		}
		if m := vmMO(simulator.Map.Get(r)); m != nil && m.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && m.Config != nil {
			used += int64(m.Config.Hardware.MemoryMB) << 20
		}
	}
	return used
}

// admit is what the running task finds out first: a host in maintenance or disconnected, no memory.
func (vm *vmWrap) admit(m move, state types.VirtualMachinePowerState) (types.BaseMethodFault, string) {
	if state != "" && vm.Runtime.PowerState != state {
		return &types.InvalidPowerState{RequestedState: state, ExistingState: vm.Runtime.PowerState},
			fmt.Sprintf("The attempted operation cannot be performed in the current state (%s).", vm.Runtime.PowerState)
	}
	h := hostOf(m.host)
	if h.Runtime.InMaintenanceMode {
		return &types.InvalidState{}, fmt.Sprintf("The operation is not allowed in the current state of the host %s: it is in maintenance mode.", h.Name)
	}
	if h.Runtime.ConnectionState != "" && h.Runtime.ConnectionState != types.HostSystemConnectionStateConnected {
		return &types.HostNotConnected{}, fmt.Sprintf("Host %s is not connected.", h.Name)
	}
	if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && vm.Config != nil {
		need := int64(vm.Config.Hardware.MemoryMB) << 20
		free := h.Summary.Hardware.MemorySize - usedMemoryBytes(h, vm.Self)
		if free < need {
			return &types.InsufficientMemoryResourcesFault{Unreserved: free, Requested: need},
				fmt.Sprintf("The available Memory resources in the parent resource pool are insufficient for the operation (host %s: %d bytes free, %d requested).", h.Name, free, need)
		}
	}
	return nil, ""
}

// relocate starts the background task that checks, reports progress, then moves the VM.
func (vm *vmWrap) relocate(name string, m move, state types.VirtualMachinePowerState) types.ManagedObjectReference {
	self := vm.Self
	t := newTask(self, name)
	vm.knobs.claim(self.Value, t.Self.Value)
	duration, steps := vm.knobs.timing(self.Value)
	failTransfer := vm.knobs.takeFailTransfer(self.Value)
	return t.start(func() (types.AnyType, types.BaseMethodFault, string) {
		defer vm.knobs.release(self.Value)
		var fault types.BaseMethodFault
		var msg string
		simulator.Map.WithLock(vm, func() { fault, msg = vm.admit(m, state) })
		if fault != nil {
			return nil, fault, msg
		}
		t.update(types.PropertyChange{Name: "info.description", Val: &types.LocalizableMessage{Key: "com.vmware.vim.vpxd.vmotion.progress.precopy", Message: "Migrating the active state of Virtual Machine"}})
		for i := 1; i <= steps; i++ {
			if !t.sleep(duration / time.Duration(steps)) {
				return nil, &types.RequestCanceled{}, "The task was canceled by a user."
			}
			if failTransfer && i >= (steps+1)/2 {
				return nil, &types.MigrationFault{}, "The vMotion failed because the destination host did not receive data from the source host on the vMotion network (injected by vmshift-vcsim)."
			}
			if i == steps {
				t.update(types.PropertyChange{Name: "info.cancelable", Val: false})
				break
			}
			t.update(types.PropertyChange{Name: "info.progress", Val: int32(i * 100 / steps)})
		}
		if m.datastore != nil {
			if err := moveStorage(vm, *m.datastore); err != nil {
				return nil, &types.FileFault{File: err.Error()}, fmt.Sprintf("Cannot move the files of the virtual machine to datastore %s: %v", m.datastore.Value, err)
			}
		}
		moveVM(vm, m.host, m.pool)
		return nil, nil, ""
	})
}

// RelocateVMTask validates the spec (ManagedObjectNotFound / InvalidArgument up front, as vCenter
// does), then runs an asynchronous, cancelable task with progress.
func (vm *vmWrap) RelocateVMTask(ctx *simulator.Context, req *types.RelocateVM_Task) soap.HasFault {
	body := &methods.RelocateVM_TaskBody{}
	if busy := vm.knobs.claim(vm.Self.Value, ""); busy != "" {
		body.Fault_ = simulator.Fault("Another task is already in progress.", &types.TaskInProgress{Task: ref("Task", busy)})
		return body
	}
	if svc := req.Spec.Service; svc != nil {
		// Cross-vCenter vMotion is not simulated: refuse it rather than run the spec as a local
		// move (morefs of two simulators collide, so it could silently move the VM here). The
		// message echoes what was decoded (never the password) so tests see the spec arrived whole.
		cred := "none"
		if svc.Credential != nil {
			cred = fmt.Sprintf("%T", svc.Credential)
			if np, ok := svc.Credential.(*types.ServiceLocatorNamePassword); ok {
				cred += " user=" + np.Username
			}
		}
		body.Fault_ = simulator.Fault(fmt.Sprintf("cross-vCenter relocation is not simulated by vmshift-vcsim (service instanceUuid=%s url=%s credential=%s sslThumbprint=%s folder=%v datastore=%v pool=%v host=%v)",
			svc.InstanceUuid, svc.Url, cred, svc.SslThumbprint, refValue(req.Spec.Folder), refValue(req.Spec.Datastore), refValue(req.Spec.Pool), refValue(req.Spec.Host)), &types.NotSupported{})
		return body
	}
	m, fault := vm.plan(req.Spec.Host, req.Spec.Pool, req.Spec.Datastore)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	body.Res = &types.RelocateVM_TaskResponse{Returnval: vm.relocate("relocateVm", m, "")}
	return body
}

// MigrateVMTask (absent from stock vcsim) moves compute only, honouring the `state` guard.
func (vm *vmWrap) MigrateVMTask(ctx *simulator.Context, req *types.MigrateVM_Task) soap.HasFault {
	body := &methods.MigrateVM_TaskBody{}
	if busy := vm.knobs.claim(vm.Self.Value, ""); busy != "" {
		body.Fault_ = simulator.Fault("Another task is already in progress.", &types.TaskInProgress{Task: ref("Task", busy)})
		return body
	}
	m, fault := vm.plan(req.Host, req.Pool, nil)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	body.Res = &types.MigrateVM_TaskResponse{Returnval: vm.relocate("migrateVm", m, req.State)}
	return body
}

// PowerOnVMTask fails once when armed with fail-cold-start and the VM sits on another host, and
// is refused while an export lease holds the VM (export.go).
func (vm *vmWrap) PowerOnVMTask(ctx *simulator.Context, req *types.PowerOnVM_Task) soap.HasFault {
	if l := heldExportLease(vm.Self); l != nil {
		return &methods.PowerOnVM_TaskBody{Fault_: simulator.Fault("The operation is not allowed in the current state: export lease "+l.Self.Value+" holds the virtual machine.", &types.InvalidState{})}
	}
	host := ""
	if vm.Runtime.Host != nil {
		host = vm.Runtime.Host.Value
	}
	if vm.knobs.takeFailColdStart(vm.Self.Value, host) {
		t := newTask(vm.Self, "powerOn")
		ref := t.start(func() (types.AnyType, types.BaseMethodFault, string) {
			return nil, &types.GenericVmConfigFault{Reason: "injected"}, fmt.Sprintf("Failed to power on the virtual machine on host %s (injected by vmshift-vcsim).", host)
		})
		return &methods.PowerOnVM_TaskBody{Res: &types.PowerOnVM_TaskResponse{Returnval: ref}}
	}
	return vm.VirtualMachine.PowerOnVMTask(ctx, req)
}

// refValue is a moref's value, or "-" when absent.
func refValue(r *types.ManagedObjectReference) string {
	if r == nil {
		return "-"
	}
	return r.Value
}
