package main

// Snapshots freeze the disks they cover, laid out as ESXi lays them out.
//
// Semantics followed (vSphere Web Services API reference: VirtualMachine.CreateSnapshot_Task,
// VirtualMachineSnapshot.config, VirtualMachineSnapshot.RemoveSnapshot_Task; VMware "Virtual Disk
// Format 5.0", delta links and parentFileNameHint; VDDK programming guide, changed block tracking):
// CreateSnapshot freezes the file the VM was writing — the snapshot's
// config.hardware.device[].backing.fileName names it — and the VM continues on a new delta disk
// `<base>-00000N.vmdk` beside it (its backing fileName changes to it), a text descriptor naming a
// grain-mapped extent and its parent (qemu's twoGbMaxExtentSparse with a backing file: `SPARSE`
// extent, `parentFileNameHint`; ESXi writes vmfsSparse/seSparse the same way). So a snapshot taken
// while another one exists freezes a delta, not the flat base: only the first snapshot of a VM
// without snapshots names a flat disk readable by byte ranges. RemoveSnapshot_Task consolidates: the
// delta on top of the snapshot's frozen file is committed into it (`qemu-img commit`); when that
// delta was the VM's live file the VM continues on the frozen file again and the delta is deleted.
// A disk whose backing is not a disk image qemu-img can read (vcsim's placeholder files) is not
// frozen and keeps its live file name in the snapshot.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

var (
	deltaMu sync.Mutex
	// deltaParent is the datastore path each delta disk the launcher made was created on.
	deltaParent = map[string]string{}
	deltaSuffix = regexp.MustCompile(`-\d{6}$`)
)

// frozenDisk is one disk at a snapshot: the file the snapshot froze and the delta the VM continues on.
type frozenDisk struct {
	frozen string
	delta  string
}

// freezeDisk starts a delta on top of a disk's backing file. ok=false (no error) when the backing
// is not a disk image (nothing to freeze).
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
	stem := deltaSuffix.ReplaceAllString(strings.TrimSuffix(p.Path, ".vmdk"), "") // ESXi names every delta after the base disk
	var name, local string
	for n := 1; ; n++ {
		name = fmt.Sprintf("[%s] %s-%06d.vmdk", p.Datastore, stem, n)
		local, _ = datastoreFile(name)
		if _, err := os.Stat(local); os.IsNotExist(err) {
			break
		}
	}
	// The parent by its name beside the delta (parentFileNameHint), as ESXi writes it.
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "-b", filepath.Base(file), "-F", "vmdk", local).CombinedOutput(); err != nil {
		removeDeltaFiles(local)
		return frozenDisk{}, false, fmt.Errorf("qemu-img create delta of %s: %v %s", file, err, out)
	}
	deltaMu.Lock()
	deltaParent[name] = fileName
	deltaMu.Unlock()
	return frozenDisk{frozen: fileName, delta: name}, true, nil
}

// removeDeltaFiles deletes a delta's descriptor and its extents (`<stem>-s001.vmdk`, …).
func removeDeltaFiles(local string) {
	stem := strings.TrimSuffix(local, ".vmdk")
	extents, _ := filepath.Glob(stem + "-s[0-9][0-9][0-9].vmdk")
	for _, f := range append(extents, local) {
		_ = os.Remove(f)
	}
}

// dropDelta forgets a delta the launcher made and deletes its files.
func dropDelta(name string) {
	deltaMu.Lock()
	delete(deltaParent, name)
	deltaMu.Unlock()
	if local, ok := datastoreFile(name); ok {
		removeDeltaFiles(local)
	}
}

func fileSize(file string) int64 {
	st, err := os.Stat(file)
	if err != nil {
		return 0
	}
	return st.Size()
}

// consolidate removes what a snapshot froze from the disk chains of vm: per disk, the delta made on
// top of the snapshot's file (the child: the VM's live file or the file a later snapshot froze) is
// committed into that file. A live child is then dropped and the VM continues on the frozen file; a
// child a later snapshot still names is kept (its view is unchanged).
func consolidate(live []types.BaseVirtualDevice, snapshot []types.BaseVirtualDevice) error {
	for _, d := range snapshot {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok {
			continue
		}
		var vmBacking *types.VirtualDiskFlatVer2BackingInfo
		for _, l := range live {
			if ld, ok := l.(*types.VirtualDisk); ok && ld.Key == disk.Key {
				vmBacking, _ = ld.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			}
		}
		if vmBacking == nil {
			continue
		}
		// The child of the frozen file: walk up from the VM's live file.
		deltaMu.Lock()
		child := ""
		for at := vmBacking.FileName; at != ""; at = deltaParent[at] {
			if deltaParent[at] == b.FileName {
				child = at
				break
			}
		}
		deltaMu.Unlock()
		if child == "" {
			continue // not frozen (a placeholder disk)
		}
		local, _ := datastoreFile(child)
		if out, err := exec.Command("qemu-img", "commit", "-q", local).CombinedOutput(); err != nil {
			return fmt.Errorf("qemu-img commit %s: %v %s", child, err, out)
		}
		if child == vmBacking.FileName {
			vmBacking.FileName = b.FileName
			dropDelta(child)
		}
	}
	return nil
}
