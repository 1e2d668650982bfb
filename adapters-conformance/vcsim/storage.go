package main

import (
	"fmt"
	"os"
	"path"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// datastoreNamed is the registry's datastore with that name.
func datastoreNamed(name string) *simulator.Datastore {
	for _, obj := range simulator.Map.All("Datastore") {
		if ds, ok := obj.(*simulator.Datastore); ok && ds.Name == name {
			return ds
		}
	}
	return nil
}

func datastoreURL(ds *simulator.Datastore) string {
	return ds.Info.GetDatastoreInfo().Url
}

// moveFile renames a datastore file or directory from one datastore's backing directory to
// another's, creating the parents; a directory that exists at the target is merged file by file.
func moveFile(from, to string) error {
	if _, err := os.Stat(from); err != nil {
		return nil // nothing on disk (the simulator did not create it)
	}
	if err := os.MkdirAll(path.Dir(to), 0o700); err != nil {
		return err
	}
	if st, err := os.Stat(to); err == nil && st.IsDir() {
		entries, err := os.ReadDir(from)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := moveFile(path.Join(from, e.Name()), path.Join(to, e.Name())); err != nil {
				return err
			}
		}
		return os.Remove(from)
	}
	return os.Rename(from, to)
}

// moveStorage completes a Storage vMotion with `spec.datastore` and no disk locators, as vSphere
// does with the default diskMoveType (moveAllDiskBackingsAndDisallowSharing): the VM's home
// directory and every disk move to ds. Files move on disk; `datastore`, `config.files`,
// `summary.config.vmPathName`, the disks' backings, `layout`/`layoutEx` and the datastores' `vm`
// lists follow. (vcsim 0.24.2 changes only `datastore`, see its RelocateVMTask TODO.)
func moveStorage(vmObj mo.Reference, dsRef types.ManagedObjectReference) error {
	target, ok := simulator.Map.Get(dsRef).(*simulator.Datastore)
	if !ok {
		return fmt.Errorf("no datastore %s", dsRef.Value)
	}
	var self types.ManagedObjectReference
	var left []types.ManagedObjectReference
	var failure error
	simulator.Map.WithLock(vmObj, func() {
		m := vmMO(vmObj)
		self = m.Self
		// "[old] dir/file" → "[target] dir/file", moving the file (or directory) on disk.
		moved := map[string]bool{}
		relocate := func(p string, dir bool) string {
			var dp object.DatastorePath
			if p == "" || !dp.FromString(p) || dp.Datastore == target.Name {
				return p
			}
			src := datastoreNamed(dp.Datastore)
			if src == nil {
				return p
			}
			item := dp.Path
			if !dir {
				item = path.Dir(dp.Path) // a VM's files live in its home directory: move the directory
				if item == "." || item == "" {
					item = dp.Path
				}
			}
			key := src.Name + "\x00" + item
			if !moved[key] && failure == nil {
				moved[key] = true
				failure = moveFile(path.Join(datastoreURL(src), item), path.Join(datastoreURL(target), item))
			}
			return (&object.DatastorePath{Datastore: target.Name, Path: dp.Path}).String()
		}
		files := m.Config.Files
		files.VmPathName = relocate(files.VmPathName, false)
		files.SnapshotDirectory = relocate(files.SnapshotDirectory, true)
		files.SuspendDirectory = relocate(files.SuspendDirectory, true)
		files.LogDirectory = relocate(files.LogDirectory, true)
		devices := m.Config.Hardware.Device
		for _, d := range devices {
			if disk, ok := d.(*types.VirtualDisk); ok {
				if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
					info := b.GetVirtualDeviceFileBackingInfo()
					info.FileName = relocate(info.FileName, false)
					info.Datastore = &dsRef
				}
			}
		}
		if m.LayoutEx != nil {
			for i := range m.LayoutEx.File {
				m.LayoutEx.File[i].Name = relocate(m.LayoutEx.File[i].Name, false)
			}
		}
		if m.Layout != nil {
			for i := range m.Layout.ConfigFile {
				m.Layout.ConfigFile[i] = relocate(m.Layout.ConfigFile[i], false)
			}
			for i := range m.Layout.LogFile {
				m.Layout.LogFile[i] = relocate(m.Layout.LogFile[i], false)
			}
			m.Layout.SwapFile = relocate(m.Layout.SwapFile, false)
			for i := range m.Layout.Disk {
				for j := range m.Layout.Disk[i].DiskFile {
					m.Layout.Disk[i].DiskFile[j] = relocate(m.Layout.Disk[i].DiskFile[j], false)
				}
			}
		}
		left = append(left, m.Datastore...)
		changes := []types.PropertyChange{
			{Name: "datastore", Val: []types.ManagedObjectReference{dsRef}},
			{Name: "config.files", Val: files},
			{Name: "config.hardware.device", Val: devices},
		}
		if m.Summary.Config.VmPathName != "" {
			changes = append(changes, types.PropertyChange{Name: "summary.config.vmPathName", Val: files.VmPathName})
		}
		if m.LayoutEx != nil {
			changes = append(changes, types.PropertyChange{Name: "layoutEx", Val: *m.LayoutEx})
		}
		if m.Layout != nil {
			changes = append(changes, types.PropertyChange{Name: "layout", Val: *m.Layout})
		}
		simulator.Map.Update(vmObj, changes)
	})
	for _, old := range left {
		if old == dsRef {
			continue
		}
		if ds, ok := simulator.Map.Get(old).(*simulator.Datastore); ok {
			simulator.Map.RemoveReference(ds, &ds.Vm, self)
		}
	}
	simulator.Map.AddReference(target, &target.Vm, self)
	return failure
}
