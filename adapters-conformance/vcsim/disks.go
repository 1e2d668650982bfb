package main

import (
	"fmt"
	"strings"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// addDisk does to vm what ReconfigVM_Task adding a VirtualDisk does to its device list: a new
// disk on the first disk's controller at the next free unit, `bytes` of capacity, backed by
// `<first disk's file>_<n>.vmdk` on the same datastore. The backing file is the caller's to write
// (the model's disks are placeholders). Returns the new disk's datastore path.
func addDisk(m *mo.VirtualMachine, bytes int64) (string, error) {
	var first *types.VirtualDisk
	used := map[int32]bool{}
	maxKey := int32(0)
	for _, d := range m.Config.Hardware.Device {
		if d.GetVirtualDevice().Key > maxKey {
			maxKey = d.GetVirtualDevice().Key
		}
		if disk, ok := d.(*types.VirtualDisk); ok {
			if first == nil {
				first = disk
			}
			if disk.ControllerKey == first.ControllerKey && disk.UnitNumber != nil {
				used[*disk.UnitNumber] = true
			}
		}
	}
	if first == nil {
		return "", fmt.Errorf("the VM has no disk")
	}
	fb, ok := first.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	if !ok {
		return "", fmt.Errorf("the VM's first disk has no flat backing")
	}
	unit := int32(1)
	for used[unit] || unit == 7 { // unit 7 is the SCSI controller's own
		unit++
	}
	second := *first
	backing := *fb
	backing.FileName = fmt.Sprintf("%s_%d.vmdk", strings.TrimSuffix(fb.FileName, ".vmdk"), unit)
	second.Backing = &backing
	second.Key = maxKey + 1
	second.UnitNumber = &unit
	second.CapacityInBytes = bytes
	second.CapacityInKB = bytes / 1024
	m.Config.Hardware.Device = append(m.Config.Hardware.Device, &second)
	return backing.FileName, nil
}
