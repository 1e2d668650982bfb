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
	requests      atomic.Int64
}

func newKnobs(duration time.Duration, steps int) *knobs {
	if steps < 1 {
		steps = 1
	}
	return &knobs{
		duration: duration, steps: steps,
		slow: map[string]time.Duration{}, failTransfer: map[string]bool{}, failColdStart: map[string]bool{},
		armedOn: map[string]string{}, expired: map[string]bool{}, moving: map[string]string{},
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
	}
	return ""
}

func (k *knobs) release(vm string) {
	k.mu.Lock()
	delete(k.moving, vm)
	k.mu.Unlock()
}
