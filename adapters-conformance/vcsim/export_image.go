package main

// What an export lease serves for a disk laid out as on an ESXi datastore.
//
// ESXi's NFC export streams each disk as a stream-optimized VMDK (vSphere Web Services API
// reference, HttpNfcLease; OVF export of a VM), whatever its layout on the datastore. A flat disk
// (a text descriptor naming a `-flat.vmdk` extent, the layout freeze.go's snapshots read by byte
// ranges) is not one file a client can download, so ExportVm converts it once, when the lease is
// made, to a stream-optimized VMDK in the launcher's temporary directory (`qemu-img convert -O vmdk
// -o subformat=streamOptimized`, following a delta's parents). Single-file images are served as
// they are (export.go).

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// exportImage is the file an export lease serves for disk file `file`: `file` itself when it is a
// single-file image, else a stream-optimized copy made now.
func exportImage(file string) (string, error) {
	head := make([]byte, 21)
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	n, _ := f.Read(head)
	f.Close()
	if !bytes.Equal(head[:n], []byte("# Disk DescriptorFile")) {
		return file, nil
	}
	dir, err := os.MkdirTemp("", "vmshift-vcsim-export-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, filepath.Base(file))
	if msg, err := exec.Command("qemu-img", "convert", "-U", "-O", "vmdk", "-o", "subformat=streamOptimized", file, out).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("qemu-img convert %s: %v %s", file, err, msg)
	}
	return out, nil
}
