package main

// Changed block tracking over the datastore's real disk files (govmomi 0.24.2's simulator stores
// config.changeTrackingEnabled but assigns no change ids and has no QueryChangedDiskAreas).
//
// Semantics followed (vSphere Web Services API reference: VirtualMachine.QueryChangedDiskAreas,
// VirtualDiskFlatVer2BackingInfo.changeId, VirtualMachineConfigSpec.changeTrackingEnabled):
//   - with changeTrackingEnabled, CreateSnapshot gives every disk of the snapshot a changeId (in
//     the snapshot's config.hardware.device[].backing.changeId) naming the disk's state then;
//   - QueryChangedDiskAreas(snapshot, deviceKey, startOffset, changeId) returns the areas of the
//     disk written between the state changeId names and the snapshot's state, from startOffset to
//     the end of the disk (DiskChangeInfo startOffset/length/changedArea[]); changeId "*" returns
//     every allocated area of the snapshot's state;
//   - a changeId that is not one of this disk's, a disk without change tracking, an unknown
//     deviceKey: FileFault / InvalidArgument.
//
// How: at snapshot time the disk's guest-visible bytes (qemu-img convert to raw) are hashed per
// 64 KiB block and kept under the new changeId; a query compares two such block lists. "Allocated"
// areas of "*" are the blocks that are not all zeros (a subset of what ESXi reports as allocated;
// reading only them onto a zeroed target gives the same disk).

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const cbtBlock = 64 * 1024

// diskState is one disk's content at one changeId: a hash per block, and which blocks hold data.
type diskState struct {
	file   string
	size   int64
	hashes [][32]byte
	data   []bool
}

var (
	cbtMu     sync.Mutex
	cbtStates = map[string]*diskState{}
	cbtSeq    int
)

// readDiskState hashes a disk file's guest-visible bytes per block (qemu-img converts it to raw).
func readDiskState(file string) (*diskState, error) {
	dir, err := os.MkdirTemp("", "vmshift-vcsim-cbt-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	raw := path.Join(dir, "disk.raw")
	if out, err := exec.Command("qemu-img", "convert", "-U", "-O", "raw", file, raw).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("qemu-img convert %s: %v %s", file, err, out)
	}
	return hashRaw(file, raw)
}

// hashRaw hashes a raw image per block; the state is recorded as disk `file`'s.
func hashRaw(file, raw string) (*diskState, error) {
	f, err := os.Open(raw)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st := &diskState{file: file}
	buf := make([]byte, cbtBlock)
	zero := make([]byte, cbtBlock)
	for {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			st.size += int64(n)
			st.hashes = append(st.hashes, sha256.Sum256(buf[:n]))
			st.data = append(st.data, !bytes.Equal(buf[:n], zero[:n]))
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return st, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// CreateSnapshotTask freezes every disk under the snapshot (freeze.go: the file the VM was writing,
// the VM continuing on a new delta) and, with change tracking, records each frozen state under a
// new changeId; then takes the snapshot, whose disks name the frozen files and carry the ids.
func (vm *vmWrap) CreateSnapshotTask(req *types.CreateSnapshot_Task) soap.HasFault {
	tracked := vm.Config.ChangeTrackingEnabled != nil && *vm.Config.ChangeTrackingEnabled
	frozen := map[int32]frozenDisk{}
	fail := func(err error, file string) soap.HasFault {
		for _, f := range frozen {
			dropDelta(f.delta)
		}
		return &methods.CreateSnapshot_TaskBody{Fault_: simulator.Fault(err.Error(), &types.FileFault{File: file})}
	}
	ids := map[int32]string{}
	for _, d := range vm.Config.Hardware.Device {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok {
			continue
		}
		file, ok := datastoreFile(b.FileName)
		if !ok {
			continue
		}
		f, isImage, err := freezeDisk(b.FileName)
		if err != nil {
			return fail(err, b.FileName)
		}
		if isImage {
			frozen[disk.Key] = f
		}
		if !tracked {
			continue
		}
		st, err := readDiskState(file) // the frozen file: the VM writes into the new delta from now on
		if err != nil {
			return fail(err, b.FileName)
		}
		st.file = fmt.Sprintf("%s/%d", vm.Self.Value, disk.Key) // a change id belongs to the disk, whichever file holds it
		cbtMu.Lock()
		cbtSeq++
		id := fmt.Sprintf("52 %s/%d", randomHex(8), cbtSeq)
		cbtStates[id] = st
		cbtMu.Unlock()
		ids[disk.Key] = id
	}
	return vm.createSnapshot(req, frozen, ids)
}

var snapshotIDs, snapshotRefs int32

// createSnapshot is the simulator's CreateSnapshot_Task without its snapshot files (0.24.2 looks
// the VM up as *simulator.VirtualMachine there and panics on the launcher's wrapper): a
// VirtualMachineSnapshot with a copy of the config (disks copied, naming the frozen files with the
// new changeIds), in snapshot.rootSnapshotList under the current one, made current; the VM's disks
// continue on their deltas.
func (vm *vmWrap) createSnapshot(req *types.CreateSnapshot_Task, frozen map[int32]frozenDisk, ids map[int32]string) soap.HasFault {
	task := simulator.CreateTask(vm, "createSnapshot", func(t *simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if vm.Snapshot == nil {
			vm.Snapshot = &types.VirtualMachineSnapshotInfo{}
		}
		snapshot := &snapWrap{}
		snapshot.Self = types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: fmt.Sprintf("snapshot-vmshift-%d", atomic.AddInt32(&snapshotRefs, 1))}
		snapshot.Vm = vm.Self
		snapshot.Config = *vm.Config
		for _, d := range vm.Config.Hardware.Device {
			if disk, ok := d.(*types.VirtualDisk); ok {
				if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
					if id, ok := ids[disk.Key]; ok {
						b.ChangeId = id
					}
				}
			}
		}
		snapshot.Config.Hardware.Device = copyDisks(vm.Config.Hardware.Device)
		for _, d := range vm.Config.Hardware.Device {
			if disk, ok := d.(*types.VirtualDisk); ok {
				if f, ok := frozen[disk.Key]; ok {
					disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName = f.delta
				}
			}
		}
		simulator.Map.Put(snapshot)
		item := types.VirtualMachineSnapshotTree{
			Snapshot: snapshot.Self, Vm: vm.Self, Name: req.Name, Description: req.Description,
			Id: atomic.AddInt32(&snapshotIDs, 1), CreateTime: time.Now(), State: vm.Runtime.PowerState,
			Quiesced: req.Quiesce, ReplaySupported: types.NewBool(false),
		}
		var changes []types.PropertyChange
		if cur := vm.Snapshot.CurrentSnapshot; cur != nil {
			if parent, ok := simulator.Map.Get(*cur).(*snapWrap); ok {
				parent.ChildSnapshot = append(parent.ChildSnapshot, snapshot.Self)
			}
			if node := findTree(vm.Snapshot.RootSnapshotList, *cur); node != nil {
				node.ChildSnapshotList = append(node.ChildSnapshotList, item)
			}
		} else {
			changes = append(changes, types.PropertyChange{Name: "snapshot.rootSnapshotList", Val: append(vm.Snapshot.RootSnapshotList, item)})
		}
		changes = append(changes, types.PropertyChange{Name: "snapshot.currentSnapshot", Val: snapshot.Self})
		simulator.Map.Update(vm, changes)
		return snapshot.Self, nil
	})
	return &methods.CreateSnapshot_TaskBody{Res: &types.CreateSnapshot_TaskResponse{Returnval: task.Run()}}
}

// snapWrap is a snapshot of the launcher's VMs: RemoveSnapshot_Task without the simulator's
// lookup of the VM as *simulator.VirtualMachine (which panics on the wrapper). Embedded by value
// (field 0) so the property collector sees mo.VirtualMachineSnapshot.
type snapWrap struct {
	simulator.VirtualMachineSnapshot
}

// RemoveSnapshotTask removes the snapshot (and its children when asked) from the VM's tree; the
// current snapshot becomes its parent when it was current. Its disks are consolidated (freeze.go):
// the delta on top of each frozen file is committed into it, and a VM running on that delta
// continues on the frozen file.
func (s *snapWrap) RemoveSnapshotTask(req *types.RemoveSnapshot_Task) soap.HasFault {
	task := simulator.CreateTask(s, "removeSnapshot", func(t *simulator.Task) (types.AnyType, types.BaseMethodFault) {
		vm, ok := simulator.Map.Get(s.Vm).(*vmWrap)
		if !ok || vm.Snapshot == nil {
			return nil, &types.ManagedObjectNotFound{Obj: s.Self}
		}
		if err := consolidate(vm.Config.Hardware.Device, s.Config.Hardware.Device); err != nil {
			return nil, &types.FileFault{File: err.Error()}
		}
		var parent *types.ManagedObjectReference
		roots := pruneTree(vm.Snapshot.RootSnapshotList, s.Self, req.RemoveChildren, nil, &parent)
		current := vm.Snapshot.CurrentSnapshot != nil && *vm.Snapshot.CurrentSnapshot == s.Self
		switch {
		case len(roots) == 0:
			// The last snapshot: the VM has none (a nil Val makes the simulator's Update panic, so set it directly).
			vm.Snapshot = nil
		case current && parent == nil:
			vm.Snapshot.CurrentSnapshot = nil
			simulator.Map.Update(vm, []types.PropertyChange{{Name: "snapshot.rootSnapshotList", Val: roots}})
		case current:
			simulator.Map.Update(vm, []types.PropertyChange{{Name: "snapshot.rootSnapshotList", Val: roots}, {Name: "snapshot.currentSnapshot", Val: *parent}})
		default:
			simulator.Map.Update(vm, []types.PropertyChange{{Name: "snapshot.rootSnapshotList", Val: roots}})
		}
		simulator.Map.Remove(s.Self)
		return nil, nil
	})
	return &methods.RemoveSnapshot_TaskBody{Res: &types.RemoveSnapshot_TaskResponse{Returnval: task.Run()}}
}

// pruneTree drops ref from the trees (its children move up unless removeChildren) and reports its parent.
func pruneTree(trees []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference, removeChildren bool, up *types.ManagedObjectReference, parent **types.ManagedObjectReference) []types.VirtualMachineSnapshotTree {
	var out []types.VirtualMachineSnapshotTree
	for _, t := range trees {
		if t.Snapshot == ref {
			*parent = up
			if !removeChildren {
				out = append(out, t.ChildSnapshotList...)
			}
			continue
		}
		self := t.Snapshot
		t.ChildSnapshotList = pruneTree(t.ChildSnapshotList, ref, removeChildren, &self, parent)
		out = append(out, t)
	}
	return out
}

// findTree is the tree node of snapshot ref.
func findTree(trees []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference) *types.VirtualMachineSnapshotTree {
	for i := range trees {
		if trees[i].Snapshot == ref {
			return &trees[i]
		}
		if n := findTree(trees[i].ChildSnapshotList, ref); n != nil {
			return n
		}
	}
	return nil
}

// copyDisks copies the disks of a device list (and their flat backings); other devices are shared.
func copyDisks(devices []types.BaseVirtualDevice) []types.BaseVirtualDevice {
	out := make([]types.BaseVirtualDevice, len(devices))
	for i, d := range devices {
		if disk, ok := d.(*types.VirtualDisk); ok {
			c := *disk
			if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				bc := *b
				c.Backing = &bc
			}
			out[i] = &c
			continue
		}
		out[i] = d
	}
	return out
}

func fileFault(msg, file string) *soap.Fault {
	return simulator.Fault(msg, &types.FileFault{File: file})
}

// QueryChangedDiskAreas answers from the recorded states (see the file comment).
func (vm *vmWrap) QueryChangedDiskAreas(req *types.QueryChangedDiskAreas) soap.HasFault {
	body := &methods.QueryChangedDiskAreasBody{}
	if req.Snapshot == nil {
		body.Fault_ = simulator.Fault("A specified parameter was not correct: snapshot (vmshift-vcsim answers for snapshots only)", &types.InvalidArgument{InvalidProperty: "snapshot"})
		return body
	}
	snap, ok := simulator.Map.Get(*req.Snapshot).(*snapWrap)
	if !ok || snap.Vm != vm.Self {
		body.Fault_ = simulator.Fault("The object has already been deleted or has not been completely created", &types.ManagedObjectNotFound{Obj: *req.Snapshot})
		return body
	}
	var backing *types.VirtualDiskFlatVer2BackingInfo
	for _, d := range snap.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok && disk.Key == req.DeviceKey {
			backing, _ = disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		}
	}
	if backing == nil {
		body.Fault_ = simulator.Fault(fmt.Sprintf("A specified parameter was not correct: deviceKey %d", req.DeviceKey), &types.InvalidArgument{InvalidProperty: "deviceKey"})
		return body
	}
	cbtMu.Lock()
	to := cbtStates[backing.ChangeId]
	from := cbtStates[req.ChangeId]
	cbtMu.Unlock()
	switch {
	case backing.ChangeId == "" || to == nil:
		body.Fault_ = fileFault("Change tracking is not active on the disk "+backing.FileName+" of this snapshot.", backing.FileName)
		return body
	case req.ChangeId != "*" && (from == nil || from.file != to.file):
		body.Fault_ = fileFault("Error caused by file "+backing.FileName+": changeId "+req.ChangeId+" is not a change id of this disk.", backing.FileName)
		return body
	case req.StartOffset < 0 || req.StartOffset > to.size:
		body.Fault_ = simulator.Fault("A specified parameter was not correct: startOffset", &types.InvalidArgument{InvalidProperty: "startOffset"})
		return body
	}
	info := types.DiskChangeInfo{StartOffset: req.StartOffset, Length: to.size - req.StartOffset}
	for i := range to.hashes {
		changed := to.data[i]
		if req.ChangeId != "*" {
			changed = i >= len(from.hashes) || from.hashes[i] != to.hashes[i]
		}
		start := int64(i) * cbtBlock
		end := start + cbtBlock
		if end > to.size {
			end = to.size
		}
		if !changed || end <= req.StartOffset {
			continue
		}
		if start < req.StartOffset {
			start = req.StartOffset
		}
		if n := len(info.ChangedArea); n > 0 && info.ChangedArea[n-1].Start+info.ChangedArea[n-1].Length == start {
			info.ChangedArea[n-1].Length += end - start
		} else {
			info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: start, Length: end - start})
		}
	}
	body.Res = &types.QueryChangedDiskAreasResponse{Returnval: info}
	return body
}
