package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// knobs are the fault and timing controls the conformance target drives over HTTP.
type knobs struct {
	mu            sync.Mutex
	duration      time.Duration
	steps         int
	slow          map[string]time.Duration // VM moref → task duration
	failTransfer  map[string]bool          // VM moref → next relocate fails halfway
	failColdStart map[string]bool          // VM moref → next power-on away from its arming host fails
	armedOn       map[string]string        // VM moref → host it was on when failColdStart was armed
	expired       map[string]bool          // session cookies seen; true: answered with NotAuthenticated
	moving        map[string]string        // VM moref → task moref of its relocate in flight
	migrations    map[string]int           // VM moref → relocate/migrate tasks ever created
	transient     map[string]int           // request class → how many more to fail with HTTP 503
	loseStart     bool                     // drop the connection after the next start is executed
	drop          chan struct{}            // closed to drop the pending WaitForUpdatesEx connections
	requests      atomic.Int64
	methods       []string // SOAP method of every /sdk request, in order (measure.go)
}

func newKnobs(duration time.Duration, steps int) *knobs {
	if steps < 1 {
		steps = 1
	}
	return &knobs{
		duration: duration, steps: steps,
		slow: map[string]time.Duration{}, failTransfer: map[string]bool{}, failColdStart: map[string]bool{},
		armedOn: map[string]string{}, expired: map[string]bool{}, moving: map[string]string{},
		migrations: map[string]int{}, transient: map[string]int{}, drop: make(chan struct{}),
	}
}

// timing returns the duration and step count of a move of vm.
func (k *knobs) timing(vm string) (time.Duration, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if d, ok := k.slow[vm]; ok {
		steps := int(d / (250 * time.Millisecond))
		if steps < k.steps {
			steps = k.steps
		}
		return d, steps
	}
	return k.duration, k.steps
}

// takeFailTransfer reports (and clears) an armed transfer failure for vm.
func (k *knobs) takeFailTransfer(vm string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	armed := k.failTransfer[vm]
	delete(k.failTransfer, vm)
	return armed
}

// takeFailColdStart reports (and clears) an armed start failure for vm when it now sits on another host.
func (k *knobs) takeFailColdStart(vm, host string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.failColdStart[vm] || k.armedOn[vm] == host {
		return false
	}
	delete(k.failColdStart, vm)
	delete(k.armedOn, vm)
	return true
}

// claim marks vm as moving under task; it returns the task already moving it, if any.
func (k *knobs) claim(vm, task string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if busy, ok := k.moving[vm]; ok {
		return busy
	}
	if task != "" {
		k.moving[vm] = task
		k.migrations[vm]++
	}
	return ""
}

func (k *knobs) release(vm string) {
	k.mu.Lock()
	delete(k.moving, vm)
	k.mu.Unlock()
}

// takeTransient reports (and counts down) an armed transient failure for a request class.
func (k *knobs) takeTransient(class string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.transient[class] > 0 {
		k.transient[class]--
		return true
	}
	return false
}

// takeLoseStart reports (and clears) an armed lost start answer.
func (k *knobs) takeLoseStart() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	armed := k.loseStart
	k.loseStart = false
	return armed
}

// dropSignal is closed when the pending progress streams must drop.
func (k *knobs) dropSignal() <-chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.drop
}

// dropStreams drops every pending WaitForUpdatesEx connection.
func (k *knobs) dropStreams() {
	k.mu.Lock()
	defer k.mu.Unlock()
	close(k.drop)
	k.drop = make(chan struct{})
}
