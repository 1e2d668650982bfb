package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const sessionCookie = "vmware_soap_session"

// frontHandler counts /sdk requests and answers requests that carry an expired session cookie
// with NotAuthenticated (the simulator itself never expires sessions).
type frontHandler struct {
	next  http.Handler
	knobs *knobs
	stock bool
}

const notAuthenticatedFault = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="SessionManager">SessionManager</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`

var bodyMethod = regexp.MustCompile(`Body>\s*<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)`)

// requestClass groups SOAP methods the way the fault controls name them.
func requestClass(method string) string {
	switch method {
	case "RelocateVM_Task", "MigrateVM_Task":
		return "start"
	case "CancelTask":
		return "cancel"
	case "RetrievePropertiesEx", "ContinueRetrievePropertiesEx", "RetrieveProperties", "WaitForUpdatesEx", "CreateFilter", "CreatePropertyCollector":
		return "progress"
	}
	return ""
}

func (f *frontHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/sdk" || r.Method != http.MethodPost {
		if !f.stock && serveExport(w, r) {
			return
		}
		if !f.stock && strings.HasPrefix(r.URL.Path, "/folder/") && !f.knownSession(r) {
			// vCenter answers datastore file requests only for a logged-in session (stock vcsim answers anyone).
			http.Error(w, "the datastore interface needs a session cookie", http.StatusUnauthorized)
			return
		}
		f.next.ServeHTTP(w, r)
		return
	}
	f.knobs.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	method := ""
	if m := bodyMethod.FindSubmatch(body); m != nil {
		method = string(m[1])
	}
	f.knobs.logMethod(method)
	if f.stock {
		f.next.ServeHTTP(w, r)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		f.knobs.mu.Lock()
		expired := f.knobs.expired[c.Value]
		if _, known := f.knobs.expired[c.Value]; !known {
			f.knobs.expired[c.Value] = false // seen: expire-sessions will expire it
		}
		f.knobs.mu.Unlock()
		if expired && method != "Login" && method != "RetrieveServiceContent" {
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, notAuthenticatedFault)
			return
		}
	}
	class := requestClass(method)
	if class != "" && f.knobs.takeTransient(class) {
		http.Error(w, "injected transient failure (vmshift-vcsim)", http.StatusServiceUnavailable)
		return
	}
	switch {
	case class == "start" && f.knobs.takeLoseStart():
		// Act, then lose the answer: the client sees the connection drop.
		rec := httptest.NewRecorder()
		f.next.ServeHTTP(rec, r)
		hangUp(w)
	case method == "WaitForUpdatesEx":
		// Serve in the background so drop-progress-streams can cut the connection meanwhile.
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		inner := r.Clone(r.Context())
		inner.Body = io.NopCloser(bytes.NewReader(body))
		go func() {
			defer close(done)
			f.next.ServeHTTP(rec, inner)
		}()
		select {
		case <-done:
			copyRecorded(w, rec)
		case <-f.knobs.dropSignal():
			hangUp(w)
		}
	default:
		f.next.ServeHTTP(w, r)
	}
}

// hangUp closes the client connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// controlHandler serves the knobs under /vmshift/:
//
//	POST /vmshift/fail-transfer?vm=vm-63      next relocate of the VM fails while transferring
//	POST /vmshift/fail-cold-start?vm=vm-63    next power-on of the VM on another host fails
//	POST /vmshift/slow?vm=vm-63&ms=8000       relocates of the VM take this long
//	POST /vmshift/rename?vm=<moref>&name=N     renames the VM (name, config.name, summary.config.name)
//	POST /vmshift/expire-sessions             every current session answers NotAuthenticated
//	GET  /vmshift/requests                    {"sdk": N} SOAP requests served so far
//	GET  /vmshift/request-log, /vmshift/task  see measure.go
func controlHandler(k *knobs) http.Handler {
	mux := http.NewServeMux()
	vmParam := func(w http.ResponseWriter, r *http.Request) (string, bool) {
		vm := r.URL.Query().Get("vm")
		if r.Method != http.MethodPost || vm == "" {
			http.Error(w, "POST with ?vm=<moref>", http.StatusBadRequest)
			return "", false
		}
		if simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: vm}) == nil {
			http.Error(w, "no such VM", http.StatusNotFound)
			return "", false
		}
		return vm, true
	}
	// The VM named by ?vm= and a disk size in ?bytes= (a positive multiple of 1024): the two
	// controls that resize or add a disk read both the same way; false once it answered an error.
	vmAndSize := func(w http.ResponseWriter, r *http.Request) (*mo.VirtualMachine, int64, bool) {
		vm, ok := vmParam(w, r)
		if !ok {
			return nil, 0, false
		}
		bytes, err := strconv.ParseInt(r.URL.Query().Get("bytes"), 10, 64)
		if err != nil || bytes <= 0 || bytes%1024 != 0 {
			http.Error(w, "bytes must be a positive multiple of 1024", http.StatusBadRequest)
			return nil, 0, false
		}
		m := vmMO(simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: vm}))
		if m == nil || m.Config == nil {
			http.NotFound(w, r)
			return nil, 0, false
		}
		return m, bytes, true
	}
	mux.HandleFunc("/vmshift/fail-transfer", func(w http.ResponseWriter, r *http.Request) {
		if vm, ok := vmParam(w, r); ok {
			k.mu.Lock()
			k.failTransfer[vm] = true
			k.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("/vmshift/rename", func(w http.ResponseWriter, r *http.Request) {
		if vm, ok := vmParam(w, r); ok {
			name := r.URL.Query().Get("name")
			if name == "" {
				http.Error(w, "name is required", http.StatusBadRequest)
				return
			}
			obj := simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: vm})
			simulator.Map.Update(obj, []types.PropertyChange{{Name: "name", Val: name}})
			if m := vmMO(obj); m != nil && m.Config != nil {
				m.Config.Name = name
				m.Summary.Config.Name = name
			}
			w.WriteHeader(http.StatusNoContent)
		}
	})
	// What ReconfigVM_Task{changeTrackingEnabled} does to the VM's config (an administrator's step
	// before a warm move; govc 0.24 has no flag for it and vmshift does not change source VMs).
	mux.HandleFunc("/vmshift/change-tracking", func(w http.ResponseWriter, r *http.Request) {
		if vm, ok := vmParam(w, r); ok {
			on := r.URL.Query().Get("enabled") != "false"
			obj := simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: vm})
			if m := vmMO(obj); m != nil && m.Config != nil {
				m.Config.ChangeTrackingEnabled = &on
			}
			w.WriteHeader(http.StatusNoContent)
		}
	})
	// What ReconfigVM_Task with a disk edit (capacityInKB) does to the VM's first disk's size (the
	// model's disks are 1 MiB); the backing file is the caller's to write.
	mux.HandleFunc("/vmshift/disk-capacity", func(w http.ResponseWriter, r *http.Request) {
		if m, bytes, ok := vmAndSize(w, r); ok {
			for _, d := range m.Config.Hardware.Device {
				if disk, ok := d.(*types.VirtualDisk); ok {
					disk.CapacityInKB = bytes / 1024
					disk.CapacityInBytes = bytes
					w.WriteHeader(http.StatusNoContent)
					return
				}
			}
			http.Error(w, "the VM has no disk", http.StatusConflict)
		}
	})
	// What ReconfigVM_Task adding a disk does (disks.go): POST /vmshift/add-disk?vm=<moref>&bytes=N
	// answers {"fileName": "[ds] dir/vm_1.vmdk"}, the backing file the caller writes.
	mux.HandleFunc("/vmshift/add-disk", func(w http.ResponseWriter, r *http.Request) {
		if m, bytes, ok := vmAndSize(w, r); ok {
			name, err := addDisk(m, bytes)
			if err != nil {
				http.Error(w, err.Error(), http.StatusConflict)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"fileName": name})
		}
	})
	mux.HandleFunc("/vmshift/fail-cold-start", func(w http.ResponseWriter, r *http.Request) {
		if vm, ok := vmParam(w, r); ok {
			host := currentHost(vm)
			k.mu.Lock()
			k.failColdStart[vm] = true
			k.armedOn[vm] = host
			k.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("/vmshift/slow", func(w http.ResponseWriter, r *http.Request) {
		if vm, ok := vmParam(w, r); ok {
			ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
			if err != nil || ms < 0 {
				http.Error(w, "ms must be a non-negative integer", http.StatusBadRequest)
				return
			}
			k.mu.Lock()
			k.slow[vm] = time.Duration(ms) * time.Millisecond
			k.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("/vmshift/expire-sessions", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST", http.StatusMethodNotAllowed)
			return
		}
		n := expireSessions(k)
		_ = json.NewEncoder(w).Encode(map[string]int{"expired": n})
	})
	mux.HandleFunc("/vmshift/fail-transiently", func(w http.ResponseWriter, r *http.Request) {
		where := r.URL.Query().Get("where")
		times, err := strconv.Atoi(r.URL.Query().Get("times"))
		if r.Method != http.MethodPost || (where != "start" && where != "progress" && where != "cancel") || err != nil || times < 0 {
			http.Error(w, "POST ?where=start|progress|cancel&times=N", http.StatusBadRequest)
			return
		}
		k.mu.Lock()
		k.transient[where] += times
		k.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/vmshift/lose-next-start-response", func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		k.loseStart = true
		k.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/vmshift/drop-progress-streams", func(w http.ResponseWriter, r *http.Request) {
		k.dropStreams()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/vmshift/migrations", func(w http.ResponseWriter, r *http.Request) {
		vm := r.URL.Query().Get("vm")
		k.mu.Lock()
		n := k.migrations[vm]
		k.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]int{"count": n})
	})
	mux.HandleFunc("/vmshift/esxi-nfc", esxiNfcControl)
	measureHandlers(mux, k)
	mux.HandleFunc("/vmshift/requests", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]int64{"sdk": k.requests.Load()})
	})
	return mux
}

// expireSessions marks every session cookie seen so far as expired and returns how many.
func expireSessions(k *knobs) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for c, done := range k.expired {
		if !done {
			k.expired[c] = true
			n++
		}
	}
	return n
}

// knownSession: the request carries a session cookie this front has seen on SDK calls and not expired.
func (f *frontHandler) knownSession(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	f.knobs.mu.Lock()
	defer f.knobs.mu.Unlock()
	expired, seen := f.knobs.expired[c.Value]
	return seen && !expired
}
