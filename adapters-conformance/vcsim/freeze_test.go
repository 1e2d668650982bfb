package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
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

func TestSnapshotFreezesTheDiskWhileTheLiveDiskChanges(t *testing.T) {
	if _, err := exec.LookPath("qemu-io"); err != nil {
		t.Skip("qemu-io is not installed")
	}
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, _ := stoppedVMWithDisk(ctx, t, c, "VMSHIFT-FREEZE-MARKER") // 4 MiB, the marker at 1 MiB
		on := true
		if tk, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{ChangeTrackingEnabled: &on}); err != nil || tk.Wait(ctx) != nil {
			t.Fatalf("reconfigure: %v", err)
		}
		if tk, err := vm.PowerOn(ctx); err != nil || tk.Wait(ctx) != nil {
			t.Fatalf("power on: %v", err)
		}
		live := diskFileOf(t, vm)
		s1, key, c1 := snapshotDisk(ctx, t, c, vm, "s1")
		name1 := snapshotFile(ctx, t, c, s1)
		if !strings.Contains(name1, "-vmshift-snap-") {
			t.Fatalf("the snapshot's disk is %s, not a frozen copy", name1)
		}
		// The snapshot's disk is a monolithicFlat VMDK: a descriptor naming a raw extent.
		code, desc := folderGet(t, c, name1, "")
		if code != http.StatusOK || !bytes.Contains(desc, []byte("createType=\"monolithicFlat\"")) || !bytes.Contains(desc, []byte("FLAT \"")) {
			t.Fatalf("descriptor: %d %s", code, desc)
		}
		flat := strings.TrimSuffix(name1, ".vmdk") + "-flat.vmdk"
		// The guest writes into the live disk after the snapshot: 64 KiB at 1 MiB (over the marker) and at 2 MiB.
		for _, w := range []string{"write -P 0xcd 1M 64k", "write -P 0xef 2M 64k"} {
			if out, err := exec.Command("qemu-io", "-f", "vmdk", "-c", w, live).CombinedOutput(); err != nil {
				t.Fatalf("qemu-io: %v %s", err, out)
			}
		}
		// The snapshot still reads as of its creation (Range read of the extent), the live disk does not.
		code, part := folderGet(t, c, flat, "bytes=1048576-1048596")
		if code != http.StatusPartialContent || string(part) != "VMSHIFT-FREEZE-MARKER"[:21] {
			t.Fatalf("frozen extent at 1 MiB: %d %q", code, part)
		}
		if code, part := folderGet(t, c, flat, "bytes=2097152-2097155"); code != http.StatusPartialContent || !bytes.Equal(part, make([]byte, 4)) {
			t.Fatalf("frozen extent at 2 MiB: %d %x", code, part)
		}
		out, err := exec.Command("qemu-io", "-r", "-U", "-f", "vmdk", "-c", "read -P 0xcd 1M 64k", live).CombinedOutput()
		if err != nil || strings.Contains(string(out), "Pattern verification failed") {
			t.Fatalf("the live disk does not hold the write: %v %s", err, out)
		}
		// The next snapshot's change list against s1 is exactly the two writes, and its copy holds them.
		s2, _, _ := snapshotDisk(ctx, t, c, vm, "s2")
		delta, err := changedAreas(ctx, c, vm, s2, key, 0, c1)
		if err != nil || len(delta.ChangedArea) != 2 || delta.ChangedArea[0].Start != 1<<20 || delta.ChangedArea[1].Start != 2<<20 || delta.ChangedArea[1].Length != cbtBlock {
			t.Fatalf("delta s1 → s2: %v %+v", err, delta.ChangedArea)
		}
		flat2 := strings.TrimSuffix(snapshotFile(ctx, t, c, s2), ".vmdk") + "-flat.vmdk"
		if code, part := folderGet(t, c, flat2, "bytes=2097152-2097155"); code != http.StatusPartialContent || !bytes.Equal(part, []byte{0xef, 0xef, 0xef, 0xef}) {
			t.Fatalf("s2's extent at 2 MiB: %d %x", code, part)
		}
		// RemoveSnapshot deletes the snapshot's copy, not the live disk nor the other snapshot's.
		rm, err := methods.RemoveSnapshot_Task(ctx, c, &types.RemoveSnapshot_Task{This: s1, RemoveChildren: false})
		if err != nil || object.NewTask(c, rm.Returnval).Wait(ctx) != nil {
			t.Fatalf("remove snapshot: %v", err)
		}
		if code, _ := folderGet(t, c, flat, "bytes=0-3"); code != http.StatusNotFound {
			t.Fatalf("s1's copy after RemoveSnapshot: HTTP %d", code)
		}
		if code, _ := folderGet(t, c, flat2, "bytes=0-3"); code != http.StatusPartialContent {
			t.Fatalf("s2's copy after removing s1: HTTP %d", code)
		}
		if _, err := os.Stat(live); err != nil {
			t.Fatalf("the live disk: %v", err)
		}
		// Removing the last snapshot leaves the VM without any, and its copy gone too.
		rm, err = methods.RemoveSnapshot_Task(ctx, c, &types.RemoveSnapshot_Task{This: s2, RemoveChildren: false})
		if err != nil || object.NewTask(c, rm.Returnval).Wait(ctx) != nil {
			t.Fatalf("remove the last snapshot: %v", err)
		}
		var after mo.VirtualMachine
		if err := property(ctx, c, vm.Reference(), &after); err != nil || (after.Snapshot != nil && len(after.Snapshot.RootSnapshotList) > 0) {
			t.Fatalf("after removing every snapshot: %v %+v", err, after.Snapshot)
		}
		if code, _ := folderGet(t, c, flat2, "bytes=0-3"); code != http.StatusNotFound {
			t.Fatalf("s2's copy after RemoveSnapshot: HTTP %d", code)
		}
	})
}
