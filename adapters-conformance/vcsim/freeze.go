package main

// Snapshots freeze the disks they cover: what vSphere guarantees and the launcher did not.
//
// Semantics followed (vSphere Web Services API reference: VirtualMachine.CreateSnapshot_Task,
// VirtualMachineSnapshot.config; VDDK/Forklift warm migration read "the snapshot's disk"): after
// CreateSnapshot the snapshot's config.hardware.device[].backing.fileName names a disk whose
// content is the guest-visible disk at that instant, and it stays so while the running VM keeps
// writing. On ESXi the base disk is frozen and the VM's writes go to a new delta disk (`-000001.vmdk`);
// here the inverse, with the same view for a client: the live backing file keeps taking the writes,
// and the snapshot's backing names a copy made at snapshot time, `<disk>-vmshift-snap-<N>.vmdk`,
// written as a monolithicFlat VMDK (a text descriptor and a `-flat.vmdk` raw extent — the layout of
// an ESXi datastore disk), readable through the datastore HTTP interface (`/folder/<path>?dcPath=
// &dsName=`, Range reads of the flat extent) like any datastore file. RemoveSnapshot_Task deletes the
// snapshot's copies. A disk whose backing is not a disk image qemu-img can read (vcsim's
// placeholder files) is not frozen and keeps its live file name in the snapshot.

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

var frozenSeq int32

// frozenDisk is one disk's copy at a snapshot: the datastore path of its descriptor, the local
// paths of the descriptor and the raw extent.
type frozenDisk struct {
	name       string
	descriptor string
	flat       string
}

// freezeDisk copies a disk's backing file to a monolithicFlat VMDK beside it. ok=false (no error)
// when the backing is not a disk image (nothing to freeze).
func freezeDisk(fileName string) (frozenDisk, bool, error) {
	file, ok := datastoreFile(fileName)
	if !ok {
		return frozenDisk{}, false, nil
	}
	if out, err := exec.Command("qemu-img", "info", "-U", file).CombinedOutput(); err != nil || strings.Contains(string(out), "file format: raw") && fileSize(file) < 4096 {
		return frozenDisk{}, false, nil // vcsim's placeholder (empty or a stub), not a guest disk
	}
	var p object.DatastorePath
	p.FromString(fileName)
	suffix := fmt.Sprintf("-vmshift-snap-%d", atomic.AddInt32(&frozenSeq, 1))
	stem := strings.TrimSuffix(p.Path, ".vmdk")
	name := p.Datastore
	f := frozenDisk{name: fmt.Sprintf("[%s] %s%s.vmdk", name, stem, suffix)}
	f.descriptor, _ = datastoreFile(f.name)
	f.flat = strings.TrimSuffix(f.descriptor, ".vmdk") + "-flat.vmdk"
	if out, err := exec.Command("qemu-img", "convert", "-U", "-O", "vmdk", "-o", "subformat=monolithicFlat", file, f.descriptor).CombinedOutput(); err != nil {
		f.remove()
		return frozenDisk{}, false, fmt.Errorf("qemu-img convert %s: %v %s", file, err, out)
	}
	return f, true, nil
}

func (f frozenDisk) remove() {
	_ = os.Remove(f.descriptor)
	_ = os.Remove(f.flat)
}

func fileSize(file string) int64 {
	st, err := os.Stat(file)
	if err != nil {
		return 0
	}
	return st.Size()
}

// removeFrozen deletes the frozen copies a snapshot's disks name (only the launcher's own copies).
func removeFrozen(devices []types.BaseVirtualDevice) {
	for _, d := range devices {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok || !strings.Contains(b.FileName, "-vmshift-snap-") {
			continue
		}
		if file, ok := datastoreFile(b.FileName); ok {
			frozenDisk{descriptor: file, flat: strings.TrimSuffix(file, ".vmdk") + "-flat.vmdk"}.remove()
		}
	}
}
