package main

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/progress"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// withLauncher runs f against an in-process model with vmshift's extensions (2 s / 4 steps).
func withLauncher(t *testing.T, f func(ctx context.Context, c *vim25.Client, k *knobs)) {
	t.Helper()
	withModel(t, func(*simulator.Model) {}, f)
}

// withModel is withLauncher with a model adjusted by configure (more clusters, datastores…).
func withModel(t *testing.T, configure func(*simulator.Model), f func(ctx context.Context, c *vim25.Client, k *knobs)) {
	t.Helper()
	model := simulator.VPX()
	model.ClusterHost = 4
	model.Machine = 3
	configure(model)
	defer model.Remove()
	if err := model.Create(); err != nil {
		t.Fatal(err)
	}
	k := newKnobs(400*time.Millisecond, 4)
	if err := shapeInventory(1, 1); err != nil {
		t.Fatal(err)
	}
	installExtensions(k)
	simulator.Test(func(ctx context.Context, c *vim25.Client) { f(ctx, c, k) }, model)
}

// runningVMAndTarget picks a powered-on cluster VM and another usable host of its cluster.
func runningVMAndTarget(t *testing.T) (*object.VirtualMachine, types.ManagedObjectReference, types.ManagedObjectReference) {
	cl := firstCluster()
	keep := cl.Host[0]
	target := cl.Host[1]
	for _, r := range hostOf(keep).Vm {
		if m := vmMO(simulator.Map.Get(r)); m != nil && m.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			return object.NewVirtualMachine(nil, r), keep, target
		}
	}
	t.Fatal("no running VM on the cluster's first host")
	return nil, keep, target
}

type sink struct{ seen int32 }

func (s *sink) Sink() chan<- progress.Report {
	ch := make(chan progress.Report)
	go func() {
		for r := range ch {
			if r.Percentage() > 0 && r.Percentage() < 100 {
				atomic.AddInt32(&s.seen, 1)
			}
		}
	}()
	return ch
}

func TestRelocateRunsWithProgressAndKeepsInventoryConsistent(t *testing.T) {
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, source, target := runningVMAndTarget(t)
		vm = object.NewVirtualMachine(c, vm.Reference())
		tk, err := vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &target}, types.VirtualMachineMovePriorityDefaultPriority)
		if err != nil {
			t.Fatal(err)
		}
		s := &sink{}
		if _, err := tk.WaitForResult(ctx, s); err != nil {
			t.Fatal(err)
		}
		if atomic.LoadInt32(&s.seen) == 0 {
			t.Error("no intermediate progress was reported")
		}
		var m mo.VirtualMachine
		if err := vm.Properties(ctx, vm.Reference(), []string{"runtime.host"}, &m); err != nil {
			t.Fatal(err)
		}
		if *m.Runtime.Host != target {
			t.Errorf("VM on %v, want %v", m.Runtime.Host, target)
		}
		if simulator.FindReference(hostOf(source).Vm, vm.Reference()) != nil {
			t.Error("the source host still lists the VM")
		}
		if simulator.FindReference(hostOf(target).Vm, vm.Reference()) == nil {
			t.Error("the target host does not list the VM")
		}
		if k.migrations[vm.Reference().Value] != 1 {
			t.Errorf("migration count %d, want 1", k.migrations[vm.Reference().Value])
		}
	})
}

func TestCancelLeavesTheVMOnItsSource(t *testing.T) {
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, source, target := runningVMAndTarget(t)
		vm = object.NewVirtualMachine(c, vm.Reference())
		tk, err := vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &target}, types.VirtualMachineMovePriorityDefaultPriority)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
		if err := tk.Cancel(ctx); err != nil {
			t.Fatal(err)
		}
		err = tk.Wait(ctx)
		if err == nil {
			t.Fatal("a cancelled relocate succeeded")
		}
		if *vmMO(simulator.Map.Get(vm.Reference())).Runtime.Host != source {
			t.Error("the VM moved although the relocate was cancelled")
		}
		if err := tk.Cancel(ctx); err == nil || !isFault(err, "InvalidState") {
			t.Errorf("cancel of a finished task: %v, want InvalidState", err)
		}
	})
}

func TestFaultsInsteadOfPanics(t *testing.T) {
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, _, _ := runningVMAndTarget(t)
		vm = object.NewVirtualMachine(c, vm.Reference())
		bogus := types.ManagedObjectReference{Type: "HostSystem", Value: "host-424242"}
		if _, err := vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &bogus}, ""); !isFault(err, "ManagedObjectNotFound") {
			t.Errorf("unknown host: %v, want ManagedObjectNotFound", err)
		}
		cl := firstCluster()
		maintenance := cl.Host[len(cl.Host)-1]
		tk, err := vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &maintenance}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := tk.Wait(ctx); err == nil || !isTaskFault(err, "InvalidState") {
			t.Errorf("host in maintenance: %v, want InvalidState", err)
		}
		full := cl.Host[len(cl.Host)-2]
		tk, err = vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &full}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := tk.Wait(ctx); err == nil || !isTaskFault(err, "InsufficientMemoryResourcesFault") {
			t.Errorf("full host: %v, want InsufficientMemoryResourcesFault", err)
		}
	})
}

func isFault(err error, kind string) bool {
	if soap.IsSoapFault(err) {
		return faultName(soap.ToSoapFault(err).VimFault()) == kind
	}
	return false
}

func isTaskFault(err error, kind string) bool {
	if te, ok := err.(task.Error); ok {
		return faultName(te.Fault()) == kind
	}
	return false
}

func faultName(f interface{}) string {
	if f == nil {
		return ""
	}
	t := reflect.TypeOf(f)
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	return t.Name()
}

// A spec with service (cross-vCenter) is refused, never run as a local move: the morefs of two
// simulators collide, so running it here would silently move the VM inside this one.
func TestCrossVcenterRelocateIsRefused(t *testing.T) {
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, source, target := runningVMAndTarget(t)
		vm = object.NewVirtualMachine(c, vm.Reference())
		spec := types.VirtualMachineRelocateSpec{
			Host: &target,
			Service: &types.ServiceLocator{
				InstanceUuid:  "5a0c3b2e-1f4d-4c8e-9b7a-0d1e2f3a4b5c",
				Url:           "https://vc-b.example.test/sdk",
				Credential:    &types.ServiceLocatorNamePassword{Username: "peer", Password: "peer-secret"},
				SslThumbprint: "AB:CD",
			},
		}
		_, err := vm.Relocate(ctx, spec, "")
		if !isFault(err, "NotSupported") {
			t.Fatalf("cross-vCenter relocate: %v, want NotSupported", err)
		}
		for _, want := range []string{"instanceUuid=5a0c3b2e-1f4d-4c8e-9b7a-0d1e2f3a4b5c", "user=peer", "host=" + target.Value} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("fault %q does not echo %q", err.Error(), want)
			}
		}
		if strings.Contains(err.Error(), "peer-secret") {
			t.Error("the fault echoes the password")
		}
		var m mo.VirtualMachine
		if err := vm.Properties(ctx, vm.Reference(), []string{"runtime.host"}, &m); err != nil {
			t.Fatal(err)
		}
		if *m.Runtime.Host != source {
			t.Errorf("the VM moved to %v", m.Runtime.Host)
		}
	})
}
