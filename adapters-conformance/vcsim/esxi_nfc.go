package main

// The ESXi side of export leases (-esxi-nfc): a real vCenter answers ExportVm with device URLs
// naming the ESXi host that runs the VM, `https://esx-01.example/nfc/<ticket>/disk-0.vmdk`, with
// that host's SHA-1 certificate thumbprint in HttpNfcLeaseDeviceUrl.sslThumbprint (`*` only when
// the client is connected to that host itself). The client reads such a URL without vCenter's
// session cookie: the lease's ticket in the path is what authorizes the request, and TLS is
// checked against sslThumbprint (govmomi's nfc.Lease records it per host and its soap client pins
// the host's certificate to it).
//
// Here the "ESXi host" is a second listener on 127.0.0.1 with its own self-signed certificate,
// named `localhost:<port>` in the device URLs: another host name than the vCenter URL's
// 127.0.0.1, resolving here. It serves the ticket's files to anyone, as ESXi does, and counts the
// requests that carried a Cookie header, so that tests can assert the client never sent vCenter's
// session cookie there.

import (
	"crypto/sha1"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// esxiNfc is the "ESXi host" of export device URLs; addr empty: device URLs name `*` (vCenter).
var esxiNfc struct {
	mu         sync.Mutex
	addr       string  // localhost:<port>
	thumbprint string  // SHA-1 of its certificate, colon hex (what ESXi's sslThumbprint holds)
	advertised *string // override of the thumbprint leases advertise (tests: a wrong or absent one)
	requests   int
	withCookie int
}

// esxiDeviceHost returns the host device URLs name and the thumbprint they carry; "" when off.
func esxiDeviceHost() (string, string) {
	esxiNfc.mu.Lock()
	defer esxiNfc.mu.Unlock()
	if esxiNfc.advertised != nil {
		return esxiNfc.addr, *esxiNfc.advertised
	}
	return esxiNfc.addr, esxiNfc.thumbprint
}

// thumbprintSHA1 is the colon-separated upper-case hex SHA-1 of a DER certificate, as vSphere's sslThumbprint fields show it.
func thumbprintSHA1(der []byte) string {
	sum := sha1.Sum(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// startEsxiNfc starts the "ESXi host" listener with its own certificate; stop closes it.
func startEsxiNfc() (stop func(), err error) {
	cert, der, file, err := selfSigned()
	if err != nil {
		return nil, err
	}
	_ = os.Remove(file) // its CA PEM is not handed out: clients must pin the thumbprint
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(serveEsxiNfc), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		_ = srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}()
	esxiNfc.mu.Lock()
	esxiNfc.addr = fmt.Sprintf("localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	esxiNfc.thumbprint = thumbprintSHA1(der)
	esxiNfc.mu.Unlock()
	return func() { _ = srv.Close() }, nil
}

// serveEsxiNfc answers the "ESXi host"'s requests: the leases whose device URLs name it, no cookie needed.
func serveEsxiNfc(w http.ResponseWriter, r *http.Request) {
	esxiNfc.mu.Lock()
	esxiNfc.requests++
	if r.Header.Get("Cookie") != "" {
		esxiNfc.withCookie++
	}
	esxiNfc.mu.Unlock()
	if !serveLeaseFile(w, r, true) {
		http.NotFound(w, r)
	}
}

// esxiNfcControl serves /vmshift/esxi-nfc:
//
//	GET  /vmshift/esxi-nfc                          {"host","thumbprint","requests","withCookie"}
//	POST /vmshift/esxi-nfc?thumbprint=AA:…          new leases advertise this sslThumbprint (empty: none)
//	POST /vmshift/esxi-nfc?thumbprint=real          back to the listener's own thumbprint
func esxiNfcControl(w http.ResponseWriter, r *http.Request) {
	esxiNfc.mu.Lock()
	defer esxiNfc.mu.Unlock()
	if esxiNfc.addr == "" {
		http.Error(w, "the launcher runs without -esxi-nfc", http.StatusConflict)
		return
	}
	if r.Method == http.MethodPost {
		if !r.URL.Query().Has("thumbprint") {
			http.Error(w, "POST ?thumbprint=<colon hex>|real|", http.StatusBadRequest)
			return
		}
		v := r.URL.Query().Get("thumbprint")
		if v == "real" {
			esxiNfc.advertised = nil
		} else {
			esxiNfc.advertised = &v
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]interface{}{"host": esxiNfc.addr, "thumbprint": esxiNfc.thumbprint, "requests": esxiNfc.requests, "withCookie": esxiNfc.withCookie})
}
