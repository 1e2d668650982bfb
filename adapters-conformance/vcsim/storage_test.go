package main

import (
	"context"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Storage vMotion (spec.datastore only) moves the VM's home and disks, as vSphere's default
// diskMoveType does: files on disk, config.files, the disk backings and both datastores' vm lists.
func TestStorageVMotionMovesFilesAndInventory(t *testing.T) {
	withModel(t, func(m *simulator.Model) { m.Datastore = 2 }, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, _, _ := runningVMAndTarget(t)
		vm = object.NewVirtualMachine(c, vm.Reference())
		before := vmMO(simulator.Map.Get(vm.Reference()))
		from := datastoreNamed(mustPath(t, before.Config.Files.VmPathName).Datastore)
		var to *simulator.Datastore
		for _, obj := range simulator.Map.All("Datastore") {
			if ds := obj.(*simulator.Datastore); ds.Self != from.Self {
				to = ds
			}
		}
		home := path.Dir(mustPath(t, before.Config.Files.VmPathName).Path)
		if _, err := os.Stat(path.Join(datastoreURL(from), home)); err != nil {
			t.Fatalf("the VM's home is not on disk before the move: %v", err)
		}
		dsRef := to.Self
		tk, err := vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Datastore: &dsRef}, types.VirtualMachineMovePriorityDefaultPriority)
		if err != nil {
			t.Fatal(err)
		}
		if err := tk.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		var m mo.VirtualMachine
		if err := vm.Properties(ctx, vm.Reference(), []string{"datastore", "config.files", "config.hardware.device", "summary.config.vmPathName", "layoutEx"}, &m); err != nil {
			t.Fatal(err)
		}
		prefix := "[" + to.Name + "] "
		if len(m.Datastore) != 1 || m.Datastore[0] != to.Self {
			t.Errorf("datastore %v, want [%v]", m.Datastore, to.Self)
		}
		if !strings.HasPrefix(m.Config.Files.VmPathName, prefix) || m.Summary.Config.VmPathName != m.Config.Files.VmPathName {
			t.Errorf("vmPathName %q / summary %q, want them on %s", m.Config.Files.VmPathName, m.Summary.Config.VmPathName, to.Name)
		}
		for _, d := range m.Config.Hardware.Device {
			if disk, ok := d.(*types.VirtualDisk); ok {
				b := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo()
				if !strings.HasPrefix(b.FileName, prefix) || b.Datastore == nil || *b.Datastore != to.Self {
					t.Errorf("disk backing %q on %v, want it on %s", b.FileName, b.Datastore, to.Name)
				}
			}
		}
		for _, f := range m.LayoutEx.File {
			if !strings.HasPrefix(f.Name, prefix) {
				t.Errorf("layoutEx file %q is not on %s", f.Name, to.Name)
			}
		}
		if _, err := os.Stat(path.Join(datastoreURL(to), home)); err != nil {
			t.Errorf("the VM's home is not on the target datastore: %v", err)
		}
		if _, err := os.Stat(path.Join(datastoreURL(from), home)); err == nil {
			t.Error("the VM's home is still on the source datastore")
		}
		if simulator.FindReference(from.Vm, vm.Reference()) != nil {
			t.Error("the source datastore still lists the VM")
		}
		if simulator.FindReference(to.Vm, vm.Reference()) == nil {
			t.Error("the target datastore does not list the VM")
		}
	})
}

func mustPath(t *testing.T, p string) object.DatastorePath {
	t.Helper()
	var dp object.DatastorePath
	if !dp.FromString(p) {
		t.Fatalf("not a datastore path: %q", p)
	}
	return dp
}

// A relocate that names only a pool of another, DRS-enabled cluster lets DRS choose the host;
// without DRS vSphere wants a host (InvalidArgument).
func TestRelocateToAPoolOfADrsClusterChoosesTheHost(t *testing.T) {
	withModel(t, func(m *simulator.Model) { m.Cluster = 2 }, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, source, _ := runningVMAndTarget(t)
		vm = object.NewVirtualMachine(c, vm.Reference())
		var other *simulator.ClusterComputeResource
		for _, obj := range simulator.Map.All("ClusterComputeResource") {
			if cl := obj.(*simulator.ClusterComputeResource); cl.Self != computeResourceOf(hostOf(source)) {
				other = cl
			}
		}
		pool := *other.ResourcePool
		tk, err := vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Pool: &pool}, types.VirtualMachineMovePriorityDefaultPriority)
		if err != nil {
			t.Fatalf("relocate to a pool of a DRS cluster: %v", err)
		}
		if err := tk.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		now := vmMO(simulator.Map.Get(vm.Reference()))
		if computeResourceOf(hostOf(*now.Runtime.Host)) != other.Self {
			t.Errorf("the VM runs on %v, outside cluster %v", now.Runtime.Host, other.Self)
		}
		if *now.ResourcePool != pool {
			t.Errorf("the VM is in pool %v, want %v", now.ResourcePool, pool)
		}
		if simulator.FindReference(hostOf(*now.Runtime.Host).Vm, vm.Reference()) == nil {
			t.Error("the chosen host does not list the VM")
		}
		// Without DRS the same request needs a host.
		back := *simulator.Map.Get(computeResourceOf(hostOf(source))).(*simulator.ClusterComputeResource).ResourcePool
		cl := simulator.Map.Get(computeResourceOf(hostOf(source))).(*simulator.ClusterComputeResource)
		cl.ConfigurationEx.(*types.ClusterConfigInfoEx).DrsConfig.Enabled = types.NewBool(false)
		if _, err := vm.Relocate(ctx, types.VirtualMachineRelocateSpec{Pool: &back}, ""); !isFault(err, "InvalidArgument") {
			t.Errorf("pool of a cluster without DRS: %v, want InvalidArgument", err)
		}
	})
}
