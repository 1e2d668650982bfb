package main

// VirtualMachine.ExportVm and the HttpNfcLease it returns, over the real files in the simulator's
// datastores (govmomi 0.24.2's simulator has a lease for ImportVApp only, and no ExportVm).
//
// Semantics followed (vSphere Web Services API reference, VirtualMachine.ExportVm and
// HttpNfcLease; /work/shared/reference/move.md):
//   - ExportVm needs the VM powered off (InvalidPowerState otherwise) and returns a lease in state
//     `ready` whose info lists one deviceUrl per virtual disk: key/importKey `/<vm>/<controller><bus>:<unit>`,
//     url `https://*/nfc/<ticket>/disk-N.vmdk` (the client replaces `*` with the host it talks to),
//     targetId `disk-N.vmdk`, disk=true, fileSize; totalDiskCapacityInKB and leaseTimeout (seconds).
//   - The URL is read with GET (Range requests allowed, HEAD for the size) carrying the session's
//     `vmware_soap_session` cookie: other sessions get 403, an ended lease 404. With -esxi-nfc the
//     URLs name an "ESXi host" instead, with its SHA-1 sslThumbprint, and are read without the
//     cookie (esxi_nfc.go).
//   - One lease covers every disk of the VM (one deviceUrl each); the VM stays locked until it ends.
//   - HttpNfcLeaseProgress(percent 0–100) records transferProgress and renews the lease; a lease not
//     renewed within leaseTimeout seconds times out (state error, Timedout).
//   - HttpNfcLeaseComplete (state done) and HttpNfcLeaseAbort (state error, the given fault) end it;
//     both are InvalidState once the lease is no longer ready.
//
// Difference from ESXi, on purpose: ESXi serves a stream-optimized VMDK converted on the fly; here
// the disk's backing file is served as it is on the datastore (a single-file VMDK such as
// `qemu-img convert -O vmdk` writes), which qemu-img reads the same way.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// exportLeaseTimeout is the leaseTimeout ExportVm leases report, seconds (vSphere uses 300).
var exportLeaseTimeout int32 = 300

// exportLease is an HttpNfcLease of ExportVm, kept in the caller's session.
type exportLease struct {
	mo.HttpNfcLease
	mu      sync.Mutex
	session string            // the only cookie value the device URLs answer (on vCenter)
	host    string            // the "ESXi host" its device URLs name (esxi_nfc.go); "" for `*` (vCenter)
	ticket  string            // the URL path segment (not the moref, not the cookie)
	files   map[string]string // targetId → local path of the disk's backing file
	renewed time.Time
	temps   []string // directories of the stream-optimized copies made for it (export_image.go), removed when it ends
}

var exportTickets sync.Map // ticket → *exportLease

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// datastoreFile is the local path of a `[ds] dir/file.vmdk` datastore path.
func datastoreFile(name string) (string, bool) {
	var p object.DatastorePath
	if !p.FromString(name) {
		return "", false
	}
	ds := datastoreNamed(p.Datastore)
	if ds == nil {
		return "", false
	}
	return path.Join(ds.Info.GetDatastoreInfo().Url, p.Path), true
}

// deviceKey names a disk as vSphere's export deviceUrl key does: /<vm>/<controller type><bus>:<unit>.
func deviceKey(vm *mo.VirtualMachine, disk *types.VirtualDisk) string {
	ctrl := "Controller"
	bus := int32(0)
	for _, d := range vm.Config.Hardware.Device {
		if d.GetVirtualDevice().Key == disk.ControllerKey {
			ctrl = reflect.TypeOf(d).Elem().Name()
			if c, ok := d.(types.BaseVirtualController); ok {
				bus = c.GetVirtualController().BusNumber
			}
		}
	}
	unit := int32(0)
	if disk.UnitNumber != nil {
		unit = *disk.UnitNumber
	}
	return fmt.Sprintf("/%s/%s%d:%d", vm.Self.Value, ctrl, bus, unit)
}

// ExportVm returns an export lease over the VM's disk files (see the file comment).
func (vm *vmWrap) ExportVm(ctx *simulator.Context, req *types.ExportVm) soap.HasFault {
	body := &methods.ExportVmBody{}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		body.Fault_ = simulator.Fault("The attempted operation cannot be performed in the current state ("+string(vm.Runtime.PowerState)+").",
			&types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOff, ExistingState: vm.Runtime.PowerState})
		return body
	}
	esxiHost, esxiThumbprint := esxiDeviceHost()
	lease := &exportLease{session: ctx.Session.Key, host: esxiHost, ticket: randomHex(16), files: map[string]string{}, renewed: time.Now()}
	urlHost, sslThumbprint := "*", ""
	if esxiHost != "" {
		urlHost, sslThumbprint = esxiHost, esxiThumbprint
	}
	defer func() {
		if body.Fault_ != nil {
			lease.removeTemps() // a fault after some copies were made: the lease is never handed out
		}
	}()
	lease.Self = types.ManagedObjectReference{Type: "HttpNfcLease", Value: "lease-" + randomHex(8)}
	info := &types.HttpNfcLeaseInfo{Lease: lease.Self, Entity: vm.Self, LeaseTimeout: exportLeaseTimeout}
	n := 0
	for _, d := range vm.Config.Hardware.Device {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		file, ok := datastoreFile(b.GetVirtualDeviceFileBackingInfo().FileName)
		if !ok {
			body.Fault_ = simulator.Fault("disk backing "+b.GetVirtualDeviceFileBackingInfo().FileName+" is not on a datastore", &types.FileNotFound{FileFault: types.FileFault{File: b.GetVirtualDeviceFileBackingInfo().FileName}})
			return body
		}
		if img, err := exportImage(file); err == nil {
			if img != file {
				lease.temps = append(lease.temps, filepath.Dir(img))
			}
			file = img // a flat disk is exported as a stream-optimized VMDK, as ESXi streams it (export_image.go)
		}
		st, err := os.Stat(file)
		if err != nil {
			body.Fault_ = simulator.Fault("File "+b.GetVirtualDeviceFileBackingInfo().FileName+" was not found", &types.FileNotFound{FileFault: types.FileFault{File: b.GetVirtualDeviceFileBackingInfo().FileName}})
			return body
		}
		target := fmt.Sprintf("disk-%d.vmdk", n)
		n++
		lease.files[target] = file
		key := deviceKey(&vm.VirtualMachine.VirtualMachine, disk)
		info.DeviceUrl = append(info.DeviceUrl, types.HttpNfcLeaseDeviceUrl{
			Key: key, ImportKey: key, Url: "https://" + urlHost + "/nfc/" + lease.ticket + "/" + target, SslThumbprint: sslThumbprint,
			Disk: types.NewBool(true), TargetId: target, FileSize: st.Size(),
		})
		info.TotalDiskCapacityInKB += disk.CapacityInKB
	}
	lease.Info = info
	lease.State = types.HttpNfcLeaseStateReady
	ctx.Session.Put(lease)
	exportTickets.Store(lease.ticket, lease)
	body.Res = &types.ExportVmResponse{Returnval: lease.Self}
	return body
}

// expireLocked ends a ready lease that was not renewed in time. Caller holds l.mu.
func (l *exportLease) expireLocked() {
	if l.State == types.HttpNfcLeaseStateReady && time.Since(l.renewed) > time.Duration(l.Info.LeaseTimeout)*time.Second {
		l.end(types.HttpNfcLeaseStateError, &types.LocalizedMethodFault{Fault: &types.Timedout{}, LocalizedMessage: "The lease timed out."})
	}
}

// end moves the lease to a final state and stops its URLs. Caller holds l.mu.
func (l *exportLease) end(state types.HttpNfcLeaseState, fault *types.LocalizedMethodFault) {
	l.State, l.Error = state, fault
	exportTickets.Delete(l.ticket)
	l.removeTemps() // a download still reading a copy keeps its open file (unlinked, not gone)
}

// removeTemps deletes the stream-optimized copies made for the lease.
func (l *exportLease) removeTemps() {
	for _, dir := range l.temps {
		os.RemoveAll(dir)
	}
	l.temps = nil
}

func leaseNotReady(l *exportLease) *soap.Fault {
	return simulator.Fault("The lease is "+string(l.State)+", not ready.", &types.InvalidState{})
}

// HttpNfcLeaseProgress records the transfer's progress and renews the lease.
func (l *exportLease) HttpNfcLeaseProgress(ctx *simulator.Context, req *types.HttpNfcLeaseProgress) soap.HasFault {
	l.mu.Lock()
	defer l.mu.Unlock()
	body := &methods.HttpNfcLeaseProgressBody{}
	l.expireLocked()
	switch {
	case l.State != types.HttpNfcLeaseStateReady:
		body.Fault_ = leaseNotReady(l)
	case req.Percent < 0 || req.Percent > 100:
		body.Fault_ = simulator.Fault("A specified parameter was not correct: percent", &types.InvalidArgument{InvalidProperty: "percent"})
	default:
		l.TransferProgress = req.Percent
		l.renewed = time.Now()
		body.Res = &types.HttpNfcLeaseProgressResponse{}
	}
	return body
}

// HttpNfcLeaseComplete ends the lease successfully.
func (l *exportLease) HttpNfcLeaseComplete(ctx *simulator.Context, req *types.HttpNfcLeaseComplete) soap.HasFault {
	l.mu.Lock()
	defer l.mu.Unlock()
	body := &methods.HttpNfcLeaseCompleteBody{}
	l.expireLocked()
	if l.State != types.HttpNfcLeaseStateReady {
		body.Fault_ = leaseNotReady(l)
		return body
	}
	l.TransferProgress = 100
	l.end(types.HttpNfcLeaseStateDone, nil)
	body.Res = &types.HttpNfcLeaseCompleteResponse{}
	return body
}

// HttpNfcLeaseAbort ends the lease with the client's fault (or a generic one).
func (l *exportLease) HttpNfcLeaseAbort(ctx *simulator.Context, req *types.HttpNfcLeaseAbort) soap.HasFault {
	l.mu.Lock()
	defer l.mu.Unlock()
	body := &methods.HttpNfcLeaseAbortBody{}
	l.expireLocked()
	if l.State != types.HttpNfcLeaseStateReady {
		body.Fault_ = leaseNotReady(l)
		return body
	}
	fault := req.Fault
	if fault == nil {
		fault = &types.LocalizedMethodFault{Fault: &types.RequestCanceled{}, LocalizedMessage: "The lease was aborted by the client."}
	}
	l.end(types.HttpNfcLeaseStateError, fault)
	body.Res = &types.HttpNfcLeaseAbortResponse{}
	return body
}

// serveExport answers GET/HEAD /nfc/<ticket>/<targetId> of an export lease on vCenter; false when
// the path is no export lease's (the simulator's own /nfc/ handler then serves import leases).
func serveExport(w http.ResponseWriter, r *http.Request) bool {
	return serveLeaseFile(w, r, false)
}

// serveLeaseFile serves a lease's file on vCenter (onEsxi false: leases whose URLs name `*`, for
// the lease's session cookie only) or on the "ESXi host" (its leases, the ticket is the
// authorization); false when the path is no such lease's.
func serveLeaseFile(w http.ResponseWriter, r *http.Request, onEsxi bool) bool {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/nfc/"), "/")
	if !strings.HasPrefix(r.URL.Path, "/nfc/") || len(parts) != 2 {
		return false
	}
	v, ok := exportTickets.Load(parts[0])
	if !ok {
		return false
	}
	l := v.(*exportLease)
	if (l.host != "") != onEsxi {
		return false
	}
	l.mu.Lock()
	l.expireLocked()
	ready := l.State == types.HttpNfcLeaseStateReady
	file, known := l.files[parts[1]]
	session := l.session
	l.mu.Unlock()
	c, err := r.Cookie(sessionCookie)
	switch {
	case !ready || !known:
		http.NotFound(w, r)
	case !onEsxi && (err != nil || c.Value != session):
		http.Error(w, "the lease belongs to another session", http.StatusForbidden)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "export device URLs are read-only", http.StatusMethodNotAllowed)
	default:
		f, err := os.Open(file)
		if err != nil {
			http.NotFound(w, r)
			return true
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return true
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, r, "", st.ModTime(), f)
	}
	return true
}

// heldExportLease is the ready export lease covering vm, if any: while it is held, vSphere blocks
// operations that change the VM (HttpNfcLease: "PowerOn, Destroy, Migrate, etc.").
func heldExportLease(vm types.ManagedObjectReference) *exportLease {
	var held *exportLease
	exportTickets.Range(func(_, v interface{}) bool {
		l := v.(*exportLease)
		l.mu.Lock()
		l.expireLocked()
		if l.State == types.HttpNfcLeaseStateReady && l.Info != nil && l.Info.Entity == vm {
			held = l
		}
		l.mu.Unlock()
		return held == nil
	})
	return held
}
