package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

// A flat disk is exported through a stream-optimized copy, and the copy goes when the lease ends.
func TestExportCopyOfAFlatDiskIsRemovedWhenTheLeaseEnds(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img (Debian qemu-utils) is not installed")
	}
	dir := t.TempDir()
	flat := filepath.Join(dir, "vm.vmdk")
	if msg, err := exec.Command("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat", flat, "1M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img create: %v %s", err, msg)
	}
	img, err := exportImage(flat)
	if err != nil {
		t.Fatal(err)
	}
	if img == flat {
		t.Fatal("a flat disk was served as its descriptor, not a stream-optimized copy")
	}
	l := &exportLease{ticket: "t", temps: []string{filepath.Dir(img)}}
	l.State = types.HttpNfcLeaseStateReady
	l.end(types.HttpNfcLeaseStateDone, nil)
	if _, err := os.Stat(img); !os.IsNotExist(err) {
		t.Fatalf("the export copy %s is still there after the lease ended (%v)", img, err)
	}
	if _, err := os.Stat(flat); err != nil {
		t.Fatalf("the datastore's own disk was touched: %v", err)
	}
}
