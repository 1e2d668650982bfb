package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vmware/govmomi/simulator"
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

func (f *frontHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/sdk" && r.Method == http.MethodPost {
		f.knobs.requests.Add(1)
		if c, err := r.Cookie(sessionCookie); err == nil && !f.stock {
			f.knobs.mu.Lock()
			expired := f.knobs.expired[c.Value]
			if _, known := f.knobs.expired[c.Value]; !known {
				f.knobs.expired[c.Value] = false // seen: expire-sessions will expire it
			}
			f.knobs.mu.Unlock()
			if expired {
				body, _ := io.ReadAll(r.Body)
				_ = r.Body.Close()
				if !bytes.Contains(body, []byte("<Login")) && !bytes.Contains(body, []byte(":Login")) && !bytes.Contains(body, []byte("RetrieveServiceContent")) {
					w.Header().Set("Content-Type", "text/xml; charset=utf-8")
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = io.WriteString(w, notAuthenticatedFault)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
		}
	}
	f.next.ServeHTTP(w, r)
}

// controlHandler serves the knobs under /vmshift/:
//
//	POST /vmshift/fail-transfer?vm=vm-63      next relocate of the VM fails while transferring
//	POST /vmshift/fail-cold-start?vm=vm-63    next power-on of the VM on another host fails
//	POST /vmshift/slow?vm=vm-63&ms=8000       relocates of the VM take this long
//	POST /vmshift/expire-sessions             every current session answers NotAuthenticated
//	GET  /vmshift/requests                    {"sdk": N} SOAP requests served so far
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
	mux.HandleFunc("/vmshift/fail-transfer", func(w http.ResponseWriter, r *http.Request) {
		if vm, ok := vmParam(w, r); ok {
			k.mu.Lock()
			k.failTransfer[vm] = true
			k.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
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
