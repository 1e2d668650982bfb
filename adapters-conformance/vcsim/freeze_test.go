package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// snapshotFile is the datastore path the snapshot's first disk names.
func snapshotFile(ctx context.Context, t *testing.T, c *vim25.Client, snap types.ManagedObjectReference) string {
	t.Helper()
	var s mo.VirtualMachineSnapshot
	if err := property(ctx, c, snap, &s); err != nil {
		t.Fatal(err)
	}
	for _, d := range s.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			return disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName
		}
	}
	t.Fatal("the snapshot has no disk")
	return ""
}

// folderGet reads a datastore file through the datastore HTTP interface (/folder/<path>?dcPath=&dsName=).
func folderGet(t *testing.T, c *vim25.Client, dsPath string, rng string) (int, []byte) {
	t.Helper()
	var p object.DatastorePath
	if !p.FromString(dsPath) {
		t.Fatalf("not a datastore path: %s", dsPath)
	}
	u := *c.URL()
	u.Path = "/folder/" + p.Path
	u.RawQuery = url.Values{"dcPath": {"DC0"}, "dsName": {p.Datastore}}.Encode()
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := c.Client.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// vmDiskName is the datastore path the VM's first disk names now.
func vmDiskName(t *testing.T, vm *object.VirtualMachine) string {
	t.Helper()
	for _, d := range vmMO(simulator.Map.Get(vm.Reference())).Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			return disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName
		}
	}
	t.Fatal("no disk")
	return ""
}

func removeSnapshot(ctx context.Context, t *testing.T, c *vim25.Client, s types.ManagedObjectReference) {
	t.Helper()
	rm, err := methods.RemoveSnapshot_Task(ctx, c, &types.RemoveSnapshot_Task{This: s, RemoveChildren: false, Consolidate: types.NewBool(true)})
	if err != nil || object.NewTask(c, rm.Returnval).Wait(ctx) != nil {
		t.Fatalf("remove snapshot: %v", err)
	}
}

func qemuIO(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("qemu-io", args...).CombinedOutput()
	if err != nil || strings.Contains(string(out), "Pattern verification failed") {
		t.Fatalf("qemu-io %v: %v %s", args, err, out)
	}
	return string(out)
}

// ESXi's layout: the snapshot freezes the file the VM was writing (here a flat base disk, readable
// by byte ranges), the VM continues on a delta; a second snapshot taken while the first exists
// freezes that delta (a sparse descriptor with a parent, not a flat disk); removing snapshots
// consolidates the deltas back into the base.
func TestSnapshotFreezesTheFileTheVMWasWritingAndRemovalConsolidates(t *testing.T) {
	if _, err := exec.LookPath("qemu-io"); err != nil {
		t.Skip("qemu-io is not installed")
	}
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, _ := stoppedVMWithDisk(ctx, t, c, "VMSHIFT-FREEZE-MARKER") // 4 MiB, the marker at 1 MiB
		base := vmDiskName(t, vm)
		baseFile := diskFileOf(t, vm)
		// An ESXi datastore disk is flat: a descriptor and a raw extent.
		tmp := path.Join(t.TempDir(), path.Base(baseFile))
		if out, err := exec.Command("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=monolithicFlat", baseFile, tmp).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		for _, f := range []string{tmp, strings.TrimSuffix(tmp, ".vmdk") + "-flat.vmdk"} {
			b, err := os.ReadFile(f)
			if err != nil || os.WriteFile(path.Join(path.Dir(baseFile), path.Base(f)), b, 0o600) != nil {
				t.Fatalf("flat base: %v", err)
			}
		}
		flat := strings.TrimSuffix(base, ".vmdk") + "-flat.vmdk"
		on := true
		if tk, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{ChangeTrackingEnabled: &on}); err != nil || tk.Wait(ctx) != nil {
			t.Fatalf("reconfigure: %v", err)
		}
		if tk, err := vm.PowerOn(ctx); err != nil || tk.Wait(ctx) != nil {
			t.Fatalf("power on: %v", err)
		}
		s1, key, c1 := snapshotDisk(ctx, t, c, vm, "s1")
		if name1 := snapshotFile(ctx, t, c, s1); name1 != base {
			t.Fatalf("s1 froze %s, not the file the VM was writing (%s)", name1, base)
		}
		delta1 := vmDiskName(t, vm)
		if !strings.HasSuffix(delta1, "-000001.vmdk") {
			t.Fatalf("the VM continues on %s, not a new delta", delta1)
		}
		code, d1 := folderGet(t, c, delta1, "")
		if code != http.StatusOK || !bytes.Contains(d1, []byte("SPARSE \"")) || !bytes.Contains(d1, []byte("parentFileNameHint=\"")) {
			t.Fatalf("the delta's descriptor: %d %s", code, d1)
		}
		// The guest writes into its live file (the delta): 64 KiB at 1 MiB (over the marker) and at 2 MiB.
		for _, w := range []string{"write -P 0xcd 1M 64k", "write -P 0xef 2M 64k"} {
			qemuIO(t, "-f", "vmdk", "-c", w, diskFileOf(t, vm))
		}
		// The frozen base still reads as of s1 (Range read of its flat extent).
		if code, part := folderGet(t, c, flat, "bytes=1048576-1048596"); code != http.StatusPartialContent || string(part) != "VMSHIFT-FREEZE-MARKER"[:21] {
			t.Fatalf("frozen extent at 1 MiB: %d %q", code, part)
		}
		// A second snapshot while s1 exists freezes the delta: not a flat disk.
		s2, _, _ := snapshotDisk(ctx, t, c, vm, "s2")
		if name2 := snapshotFile(ctx, t, c, s2); name2 != delta1 {
			t.Fatalf("s2 froze %s, not the delta the VM was writing (%s)", name2, delta1)
		}
		delta2 := vmDiskName(t, vm)
		if !strings.HasSuffix(delta2, "-000002.vmdk") {
			t.Fatalf("after s2 the VM continues on %s", delta2)
		}
		delta, err := changedAreas(ctx, c, vm, s2, key, 0, c1)
		if err != nil || len(delta.ChangedArea) != 2 || delta.ChangedArea[0].Start != 1<<20 || delta.ChangedArea[1].Start != 2<<20 {
			t.Fatalf("delta s1 → s2: %v %+v", err, delta.ChangedArea)
		}
		qemuIO(t, "-f", "vmdk", "-c", "write -P 0x11 3M 64k", diskFileOf(t, vm))
		// Removing s2 (the newest) consolidates the live delta into the file s2 froze.
		removeSnapshot(ctx, t, c, s2)
		if now := vmDiskName(t, vm); now != delta1 {
			t.Fatalf("after removing s2 the VM runs on %s, not %s", now, delta1)
		}
		if code, _ := folderGet(t, c, delta2, ""); code != http.StatusNotFound {
			t.Fatalf("the consolidated delta is still there: HTTP %d", code)
		}
		// Removing s1 consolidates into the base: the VM runs on the flat base again, holding every write.
		removeSnapshot(ctx, t, c, s1)
		if now := vmDiskName(t, vm); now != base {
			t.Fatalf("after removing s1 the VM runs on %s, not %s", now, base)
		}
		if code, _ := folderGet(t, c, delta1, ""); code != http.StatusNotFound {
			t.Fatalf("the first delta is still there: HTTP %d", code)
		}
		for off, want := range map[string]byte{"bytes=1048576-1048579": 0xcd, "bytes=2097152-2097155": 0xef, "bytes=3145728-3145731": 0x11} {
			if code, part := folderGet(t, c, flat, off); code != http.StatusPartialContent || !bytes.Equal(part, []byte{want, want, want, want}) {
				t.Fatalf("the base's extent %s after consolidation: %d %x", off, code, part)
			}
		}
		var after mo.VirtualMachine
		if err := property(ctx, c, vm.Reference(), &after); err != nil || (after.Snapshot != nil && len(after.Snapshot.RootSnapshotList) > 0) {
			t.Fatalf("after removing every snapshot: %v %+v", err, after.Snapshot)
		}
		// Change ids outlive their snapshots: a new snapshot of the flat base is listed against c1.
		s3, _, _ := snapshotDisk(ctx, t, c, vm, "s3")
		if name3 := snapshotFile(ctx, t, c, s3); name3 != base {
			t.Fatalf("s3 froze %s, not the base", name3)
		}
		since1, err := changedAreas(ctx, c, vm, s3, key, 0, c1)
		if err != nil || len(since1.ChangedArea) != 3 || since1.ChangedArea[2].Start != 3<<20 {
			t.Fatalf("s1 → s3 after s1 was removed: %v %+v", err, since1.ChangedArea)
		}
		removeSnapshot(ctx, t, c, s3)
	})
}
