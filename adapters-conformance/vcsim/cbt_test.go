package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// snapshotDisk takes a snapshot and returns it with its first disk's key and changeId (from the snapshot's config).
func snapshotDisk(ctx context.Context, t *testing.T, c *vim25.Client, vm *object.VirtualMachine, name string) (types.ManagedObjectReference, int32, string) {
	t.Helper()
	tk, err := vm.CreateSnapshot(ctx, name, "", false, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tk.WaitForResult(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := res.Result.(types.ManagedObjectReference)
	var snap mo.VirtualMachineSnapshot
	if err := property(ctx, c, ref, &snap); err != nil {
		t.Fatal(err)
	}
	for _, d := range snap.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			return ref, disk.Key, disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).ChangeId
		}
	}
	t.Fatal("the snapshot has no disk")
	return ref, 0, ""
}

func changedAreas(ctx context.Context, c *vim25.Client, vm *object.VirtualMachine, snap types.ManagedObjectReference, key int32, start int64, changeID string) (types.DiskChangeInfo, error) {
	res, err := methods.QueryChangedDiskAreas(ctx, c, &types.QueryChangedDiskAreas{This: vm.Reference(), Snapshot: &snap, DeviceKey: key, StartOffset: start, ChangeId: changeID})
	if err != nil {
		return types.DiskChangeInfo{}, err
	}
	return res.Returnval, nil
}

func TestChangeTrackingReportsTheBlocksWrittenBetweenSnapshots(t *testing.T) {
	if _, err := exec.LookPath("qemu-io"); err != nil {
		t.Skip("qemu-io is not installed")
	}
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, _ := stoppedVMWithDisk(ctx, t, c, "VMSHIFT-CBT-MARKER") // 4 MiB, the marker at 1 MiB
		if _, key, id := snapshotDisk(ctx, t, c, vm, "untracked"); id != "" || key == 0 {
			t.Fatalf("change id without change tracking: %q", id)
		}
		on := true
		tk, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{ChangeTrackingEnabled: &on})
		if err != nil || tk.Wait(ctx) != nil {
			t.Fatalf("reconfigure: %v", err)
		}
		s1, key, c1 := snapshotDisk(ctx, t, c, vm, "s1")
		if c1 == "" {
			t.Fatal("no change id after enabling change tracking")
		}
		all, err := changedAreas(ctx, c, vm, s1, key, 0, "*")
		if err != nil {
			t.Fatal(err)
		}
		if all.Length != 4<<20 || len(all.ChangedArea) != 1 || all.ChangedArea[0].Start != 1<<20 || all.ChangedArea[0].Length != cbtBlock {
			t.Fatalf("'*' areas: %+v", all)
		}
		// A guest-like write through QEMU's block layer into the VMDK: 128 KiB at 3 MiB.
		file := diskFileOf(t, vm)
		if out, err := exec.Command("qemu-io", "-f", "vmdk", "-c", "write -P 0xab 3M 128k", file).CombinedOutput(); err != nil {
			t.Fatalf("qemu-io: %v %s", err, out)
		}
		s2, _, c2 := snapshotDisk(ctx, t, c, vm, "s2")
		if c2 == "" || c2 == c1 {
			t.Fatalf("second change id %q (first %q)", c2, c1)
		}
		delta, err := changedAreas(ctx, c, vm, s2, key, 0, c1)
		if err != nil {
			t.Fatal(err)
		}
		if len(delta.ChangedArea) != 1 || delta.ChangedArea[0].Start != 3<<20 || delta.ChangedArea[0].Length != 128<<10 {
			t.Fatalf("delta s1 → s2: %+v", delta.ChangedArea)
		}
		from, err := changedAreas(ctx, c, vm, s2, key, 3<<20+64<<10, c1)
		if err != nil || from.StartOffset != 3<<20+64<<10 || len(from.ChangedArea) != 1 || from.ChangedArea[0].Start != 3<<20+64<<10 || from.ChangedArea[0].Length != 64<<10 {
			t.Fatalf("delta from an offset: %v %+v", err, from)
		}
		if none, err := changedAreas(ctx, c, vm, s1, key, 0, c1); err != nil || len(none.ChangedArea) != 0 {
			t.Fatalf("s1 against itself: %v %+v", err, none.ChangedArea)
		}
		if _, err := changedAreas(ctx, c, vm, s2, key, 0, "52 00/999"); err == nil || !strings.Contains(err.Error(), "not a change id") {
			t.Fatalf("unknown change id: %v", err)
		}
		if _, err := changedAreas(ctx, c, vm, s2, key+1, 0, c1); err == nil || !strings.Contains(err.Error(), "deviceKey") {
			t.Fatalf("unknown device key: %v", err)
		}
		// RemoveSnapshot: s2 goes, s1 becomes current, and s2 can no longer be asked about.
		rm, err := methods.RemoveSnapshot_Task(ctx, c, &types.RemoveSnapshot_Task{This: s2, RemoveChildren: false})
		if err != nil || object.NewTask(c, rm.Returnval).Wait(ctx) != nil {
			t.Fatalf("remove snapshot: %v", err)
		}
		var after mo.VirtualMachine
		if err := property(ctx, c, vm.Reference(), &after); err != nil || after.Snapshot == nil || *after.Snapshot.CurrentSnapshot != s1 {
			t.Fatalf("after removing s2: %v %+v", err, after.Snapshot)
		}
		if _, err := changedAreas(ctx, c, vm, s2, key, 0, c1); err == nil {
			t.Fatal("a removed snapshot was answered")
		}
	})
}

// diskFileOf is the local file of the VM's first disk.
func diskFileOf(t *testing.T, vm *object.VirtualMachine) string {
	t.Helper()
	for _, d := range vmMO(simulator.Map.Get(vm.Reference())).Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			file, _ := datastoreFile(disk.Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo().FileName)
			return file
		}
	}
	t.Fatal("no disk")
	return ""
}
