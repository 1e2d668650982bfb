// Command vmshift-vcsim is vmshift's vCenter simulator for the conformance suite: govmomi's
// simulator library (Debian package golang-github-vmware-govmomi-dev 0.24.2) plus what stock
// vcsim lacks for vMotion tests: asynchronous relocate/migrate tasks with progress, CancelTask,
// vCenter-like faults, consistent inventory, paged RetrievePropertiesEx and a control endpoint.
//
// It prints one line on stdout once listening:
//
//	VMSHIFT_VCSIM url=https://127.0.0.1:PORT/sdk thumbprint=AA:BB:... cert=/tmp/….pem pid=N [esxi=localhost:PORT]
//
// and stops on SIGTERM/SIGINT. Build offline (see .ci/setup.d/30-vsphere.sh):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off go build -o vmshift-vcsim .
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address")
	useTLS := flag.Bool("tls", true, "serve HTTPS with a self-signed certificate (its SHA-256 thumbprint is printed)")
	clusters := flag.Int("cluster", 1, "clusters per datacenter")
	hosts := flag.Int("host", 4, "hosts per cluster")
	standalone := flag.Int("standalone-host", 1, "standalone hosts per datacenter")
	vms := flag.Int("vm", 4, "VMs per resource pool (cluster) and per standalone host")
	datastores := flag.Int("ds", 1, "local datastores (each backed by a temporary directory; every host sees them all)")
	maintenance := flag.Int("maintenance-host", 1, "hosts of the first cluster put in maintenance mode (taken from the end)")
	full := flag.Int("full-host", 1, "hosts of the first cluster with almost no memory (before the maintenance hosts)")
	duration := flag.Duration("migrate-duration", 2*time.Second, "how long a relocate/migrate task runs")
	steps := flag.Int("migrate-steps", 4, "progress steps of a relocate/migrate task")
	stock := flag.Bool("stock", false, "turn every vmshift addition off (stock simulator behaviour)")
	esxi := flag.Bool("esxi-nfc", false, "export leases' device URLs name an \"ESXi host\" (a second listener, localhost:PORT, own certificate, its SHA-1 sslThumbprint) instead of *")
	flag.Parse()

	model := simulator.VPX()
	model.Cluster = *clusters
	model.ClusterHost = *hosts
	model.Host = *standalone
	model.Machine = *vms
	model.Datastore = *datastores
	model.Autostart = true
	if err := model.Create(); err != nil {
		log.Fatalf("create model: %v", err)
	}
	defer model.Remove()

	k := newKnobs(*duration, *steps)
	if !*stock {
		if err := shapeInventory(*maintenance, *full); err != nil {
			log.Fatalf("shape inventory: %v", err)
		}
		installExtensions(k)
	}
	srv := model.Service.NewServer() // plain HTTP on a loopback port we do not use; we serve its mux below
	defer srv.Close()

	// Serve the simulator's mux on our own listener, behind the counting / session-expiry front.
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	front := &frontHandler{next: model.Service.ServeMux, knobs: k, stock: *stock}
	mux := http.NewServeMux()
	mux.Handle("/vmshift/", controlHandler(k))
	mux.Handle("/", front)
	scheme, thumb, certFile := "http", "", ""
	if *useTLS {
		cert, der, file, err := selfSigned()
		if err != nil {
			log.Fatalf("certificate: %v", err)
		}
		defer os.Remove(file)
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		thumb, certFile, scheme = thumbprint(der), file, "https"
	}
	httpSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := httpSrv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatalf("serve: %v", err)
		}
	}()
	esxiField := ""
	if *esxi && !*stock {
		stopEsxi, err := startEsxiNfc()
		if err != nil {
			log.Fatalf("esxi nfc: %v", err)
		}
		defer stopEsxi()
		host, _ := esxiDeviceHost()
		esxiField = " esxi=" + host
	}
	fmt.Printf("VMSHIFT_VCSIM url=%s://%s/sdk thumbprint=%s cert=%s pid=%d%s\n", scheme, ln.Addr().String(), thumb, certFile, os.Getpid(), esxiField)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	_ = httpSrv.Close()
}

// thumbprint is the colon-separated upper-case hex SHA-256 of a DER certificate, as vCenter shows it.
func thumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
