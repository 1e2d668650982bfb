package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/vmware/govmomi/nfc"
	"github.com/vmware/govmomi/object"
	gprop "github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// stoppedVMWithDisk powers a cluster VM off and puts a real VMDK (qemu-img convert of a raw image
// holding marker) where its first disk's backing file is; returns the VM and the file's bytes.
func stoppedVMWithDisk(ctx context.Context, t *testing.T, c *vim25.Client, marker string) (*object.VirtualMachine, []byte) {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
	vm, _, _ := runningVMAndTarget(t)
	vm = object.NewVirtualMachine(c, vm.Reference())
	tk, err := vm.PowerOff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	m := vmMO(simulator.Map.Get(vm.Reference()))
	var file string
	for _, d := range m.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			file, _ = datastoreFile(disk.Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo().FileName)
			break
		}
	}
	if file == "" {
		t.Fatal("the VM has no disk on a datastore")
	}
	dir := t.TempDir()
	raw := path.Join(dir, "disk.raw")
	img := make([]byte, 4<<20)
	copy(img[1<<20:], marker)
	if err := os.WriteFile(raw, img, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(path.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw, file).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, out)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return vm, want
}

func sessionCookieOf(t *testing.T, c *vim25.Client) *http.Cookie {
	t.Helper()
	for _, k := range c.Client.Jar.Cookies(c.URL()) {
		if k.Name == sessionCookie {
			return k
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func get(t *testing.T, url string, cookie *http.Cookie, header map[string]string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func TestExportVmServesTheDiskFileThroughTheLease(t *testing.T) {
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, want := stoppedVMWithDisk(ctx, t, c, "VMSHIFT-EXPORT-MARKER")
		nfcSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !serveExport(w, r) {
				http.NotFound(w, r)
			}
		}))
		defer nfcSrv.Close()

		lease, err := vm.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		info, err := lease.Wait(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(info.DeviceUrl) != 1 || info.Entity != vm.Reference() || info.LeaseTimeout != exportLeaseTimeout || info.TotalDiskCapacityInKB <= 0 {
			t.Fatalf("lease info: %+v", info)
		}
		du := info.DeviceUrl[0]
		if !strings.HasPrefix(du.Url, "https://*/nfc/") || du.TargetId != "disk-0.vmdk" || du.Disk == nil || !*du.Disk || du.FileSize != int64(len(want)) || !strings.HasPrefix(du.Key, "/"+vm.Reference().Value+"/") {
			t.Fatalf("device url: %+v", du)
		}
		if strings.Contains(du.Url, sessionCookieOf(t, c).Value) {
			t.Fatal("the device URL carries the session cookie")
		}
		url := strings.Replace(du.Url, "https://*", nfcSrv.URL, 1)
		cookie := sessionCookieOf(t, c)

		if code, _ := get(t, url, nil, nil); code != http.StatusForbidden {
			t.Fatalf("without the session cookie: %d, want 403", code)
		}
		code, got := get(t, url, cookie, nil)
		if code != http.StatusOK || !bytes.Equal(got, want) {
			t.Fatalf("GET: %d, %d bytes, equal %v", code, len(got), bytes.Equal(got, want))
		}
		code, part := get(t, url, cookie, map[string]string{"Range": "bytes=512-1023"})
		if code != http.StatusPartialContent || !bytes.Equal(part, want[512:1024]) {
			t.Fatalf("Range: %d, %d bytes", code, len(part))
		}

		l := nfc.NewLease(c, lease.Reference())
		if err := l.Progress(ctx, 50); err != nil {
			t.Fatal(err)
		}
		if err := l.Progress(ctx, 101); err == nil {
			t.Fatal("progress 101 accepted")
		}
		var seen mo.HttpNfcLease
		if err := property(ctx, c, lease.Reference(), &seen); err != nil || seen.TransferProgress != 50 || seen.State != types.HttpNfcLeaseStateReady {
			t.Fatalf("lease after progress: %v %+v", err, seen.State)
		}
		if err := l.Complete(ctx); err != nil {
			t.Fatal(err)
		}
		if code, _ := get(t, url, cookie, nil); code != http.StatusNotFound {
			t.Fatalf("after Complete: %d, want 404", code)
		}
		if err := l.Complete(ctx); err == nil || !strings.Contains(err.Error(), "not ready") {
			t.Fatalf("second Complete: %v", err)
		}
		if err := property(ctx, c, lease.Reference(), &seen); err != nil || seen.State != types.HttpNfcLeaseStateDone {
			t.Fatalf("lease after complete: %v %+v", err, seen.State)
		}
	})
}

func TestExportVmAbortEndsTheLeaseAndRunningVMsAreRefused(t *testing.T) {
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		running, _, _ := runningVMAndTarget(t)
		if _, err := object.NewVirtualMachine(c, running.Reference()).Export(ctx); err == nil || !strings.Contains(err.Error(), "current state") {
			t.Fatalf("export of a running VM: %v", err)
		}
		vm, _ := stoppedVMWithDisk(ctx, t, c, "M")
		lease, err := vm.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vm.PowerOn(ctx); err == nil || !strings.Contains(err.Error(), "export lease") {
			t.Fatalf("power-on while the lease holds the VM: %v", err)
		}
		if err := lease.Abort(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if tk, err := vm.PowerOn(ctx); err != nil || tk.Wait(ctx) != nil {
			t.Fatalf("power-on after the abort: %v", err)
		}
		var seen mo.HttpNfcLease
		if err := property(ctx, c, lease.Reference(), &seen); err != nil || seen.State != types.HttpNfcLeaseStateError || seen.Error == nil {
			t.Fatalf("lease after abort: %v %+v", err, seen)
		}
		if err := lease.Progress(ctx, 10); err == nil {
			t.Fatal("progress on an aborted lease accepted")
		}
	})
}

func TestExportLeaseTimesOutWithoutProgress(t *testing.T) {
	old := exportLeaseTimeout
	exportLeaseTimeout = 0
	defer func() { exportLeaseTimeout = old }()
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, _ := stoppedVMWithDisk(ctx, t, c, "M")
		lease, err := vm.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := lease.Complete(ctx); err == nil {
			t.Fatal("completed a lease that timed out")
		}
		var seen mo.HttpNfcLease
		if err := property(ctx, c, lease.Reference(), &seen); err != nil || seen.State != types.HttpNfcLeaseStateError {
			t.Fatalf("lease after timeout: %v %+v", err, seen.State)
		}
	})
}

// property reads every property of obj into dst through the property collector.
func property(ctx context.Context, c *vim25.Client, obj types.ManagedObjectReference, dst interface{}) error {
	return gprop.DefaultCollector(c).RetrieveOne(ctx, obj, nil, dst)
}

// addSecondDisk gives vm a second VirtualDisk (addDisk) backed by a real VMDK holding marker;
// returns that file's bytes.
func addSecondDisk(t *testing.T, vm *object.VirtualMachine, marker string) []byte {
	t.Helper()
	name, err := addDisk(vmMO(simulator.Map.Get(vm.Reference())), 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	file, ok := datastoreFile(name)
	if !ok {
		t.Fatalf("no datastore file for %s", name)
	}
	raw := path.Join(t.TempDir(), "second.raw")
	img := make([]byte, 2<<20)
	copy(img[4096:], marker)
	if err := os.WriteFile(raw, img, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw, file).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, out)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func TestOneExportLeaseListsEveryDiskAndOneProgressRenewsIt(t *testing.T) {
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, want0 := stoppedVMWithDisk(ctx, t, c, "DISK-ZERO")
		want1 := addSecondDisk(t, vm, "DISK-ONE")
		nfcSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !serveExport(w, r) {
				http.NotFound(w, r)
			}
		}))
		defer nfcSrv.Close()
		lease, err := vm.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		info, err := lease.Wait(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(info.DeviceUrl) != 2 || info.DeviceUrl[0].Key == info.DeviceUrl[1].Key || !strings.HasSuffix(info.DeviceUrl[1].Key, ":1") {
			t.Fatalf("device urls: %+v", info.DeviceUrl)
		}
		cookie := sessionCookieOf(t, c)
		l := nfc.NewLease(c, lease.Reference())
		for i, want := range [][]byte{want0, want1} {
			code, got := get(t, strings.Replace(info.DeviceUrl[i].Url, "https://*", nfcSrv.URL, 1), cookie, nil)
			if code != http.StatusOK || !bytes.Equal(got, want) {
				t.Fatalf("disk %d: %d, %d bytes, equal %v", i, code, len(got), bytes.Equal(got, want))
			}
			if err := l.Progress(ctx, int32(50*(i+1))-1); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Complete(ctx); err != nil {
			t.Fatal(err)
		}
		if code, _ := get(t, strings.Replace(info.DeviceUrl[1].Url, "https://*", nfcSrv.URL, 1), cookie, nil); code != http.StatusNotFound {
			t.Fatalf("after Complete: %d, want 404", code)
		}
	})
}

// pinnedGet GETs url over TLS accepting only a certificate whose SHA-1 thumbprint is thumbprint.
func pinnedGet(t *testing.T, url, thumbprint string, cookie *http.Cookie) (int, []byte, error) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(cs tls.ConnectionState) error {
		if got := thumbprintSHA1(cs.PeerCertificates[0].Raw); got != thumbprint {
			return fmt.Errorf("thumbprint %s, want %s", got, thumbprint)
		}
		return nil
	}}}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, nil
}

func TestEsxiDeviceURLsNameAnotherHostWithItsThumbprintAndNeedNoCookie(t *testing.T) {
	stop, err := startEsxiNfc()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		stop()
		esxiNfc.mu.Lock()
		esxiNfc.addr, esxiNfc.thumbprint, esxiNfc.advertised, esxiNfc.requests, esxiNfc.withCookie = "", "", nil, 0, 0
		esxiNfc.mu.Unlock()
	}()
	withLauncher(t, func(ctx context.Context, c *vim25.Client, k *knobs) {
		vm, want := stoppedVMWithDisk(ctx, t, c, "VMSHIFT-ESXI-MARKER")
		lease, err := vm.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		info, err := lease.Wait(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		host, thumb := esxiDeviceHost()
		du := info.DeviceUrl[0]
		if !strings.HasPrefix(du.Url, "https://"+host+"/nfc/") || !strings.HasPrefix(host, "localhost:") || du.SslThumbprint != thumb || len(thumb) != 59 {
			t.Fatalf("device url %s thumbprint %q (host %s, %q)", du.Url, du.SslThumbprint, host, thumb)
		}
		// vCenter does not serve an ESXi host's ticket.
		rec := httptest.NewRecorder()
		if serveExport(rec, httptest.NewRequest(http.MethodGet, strings.SplitN(du.Url, host, 2)[1], nil)) {
			t.Fatal("vCenter served an ESXi device URL")
		}
		code, got, err := pinnedGet(t, du.Url, du.SslThumbprint, nil)
		if err != nil || code != http.StatusOK || !bytes.Equal(got, want) {
			t.Fatalf("GET without a cookie: %v %d, equal %v", err, code, bytes.Equal(got, want))
		}
		if _, _, err := pinnedGet(t, du.Url, strings.Repeat("AB:", 19)+"AB", nil); err == nil || !strings.Contains(err.Error(), "thumbprint") {
			t.Fatalf("a wrong pin was accepted: %v", err)
		}
		if _, _, err := pinnedGet(t, du.Url, du.SslThumbprint, sessionCookieOf(t, c)); err != nil {
			t.Fatal(err)
		}
		esxiNfc.mu.Lock()
		requests, withCookie := esxiNfc.requests, esxiNfc.withCookie
		esxiNfc.mu.Unlock()
		if requests != 2 || withCookie != 1 { // the refused handshake sent no request
			t.Fatalf("requests %d, with cookie %d", requests, withCookie)
		}
		if err := lease.Complete(ctx); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := pinnedGet(t, du.Url, du.SslThumbprint, nil); code != http.StatusNotFound {
			t.Fatalf("after Complete: %d, want 404", code)
		}
	})
}
