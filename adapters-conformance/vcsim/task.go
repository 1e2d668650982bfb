package main

import (
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// ctask is a simulator Task that runs in the background, reports progress and can be cancelled.
// It embeds the simulator's Task by value so the property collector finds mo.Task as field 0.
type ctask struct {
	simulator.Task

	once     sync.Once
	canceled chan struct{}
}

// newTask registers a queued, cancelable task on entity.
func newTask(entity types.ManagedObjectReference, name string) *ctask {
	base := simulator.CreateTask(entity, name, nil)
	t := &ctask{Task: *base, canceled: make(chan struct{})}
	t.Info.Cancelable = true
	simulator.Map.Put(t) // same moref: replaces the plain task in the registry
	return t
}

func (t *ctask) update(changes ...types.PropertyChange) {
	simulator.Map.WithLock(t, func() { simulator.Map.Update(t, changes) })
}

// start runs fn in the background; fn's fault (with its vCenter-like message) ends the task in error.
func (t *ctask) start(fn func() (types.AnyType, types.BaseMethodFault, string)) types.ManagedObjectReference {
	go func() {
		t.update(
			types.PropertyChange{Name: "info.startTime", Val: time.Now()},
			types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateRunning},
			types.PropertyChange{Name: "info.progress", Val: int32(0)},
		)
		res, fault, msg := fn()
		completedAt := time.Now()
		changes := []types.PropertyChange{
			{Name: "info.cancelable", Val: false},
			{Name: "info.completeTime", Val: completedAt},
		}
		if fault != nil {
			if _, ok := fault.(*types.RequestCanceled); ok {
				changes = append(changes, types.PropertyChange{Name: "info.cancelled", Val: true})
			}
			changes = append(changes,
				types.PropertyChange{Name: "info.error", Val: types.LocalizedMethodFault{Fault: fault, LocalizedMessage: msg}},
				types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateError},
			)
		} else {
			changes = append(changes,
				types.PropertyChange{Name: "info.progress", Val: int32(100)},
				types.PropertyChange{Name: "info.result", Val: res},
				types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateSuccess},
			)
		}
		t.update(changes...)
		recordCompletion(t.Self.Value, completedAt)
	}()
	return t.Self
}

// sleep waits d unless the task is cancelled first (then it returns false).
func (t *ctask) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-t.canceled:
		return false
	case <-timer.C:
		return true
	}
}

// CancelTask: InvalidState when finished, NotSupported when not cancelable; otherwise asynchronous,
// the task ends in error with RequestCanceled and cancelled=true.
func (t *ctask) CancelTask(req *types.CancelTask) soap.HasFault {
	body := &methods.CancelTaskBody{}
	switch {
	case t.Info.State == types.TaskInfoStateSuccess || t.Info.State == types.TaskInfoStateError:
		body.Fault_ = simulator.Fault("The operation is not allowed in the current state.", &types.InvalidState{})
	case !t.Info.Cancelable:
		body.Fault_ = simulator.Fault("The operation is not supported on the object.", &types.NotSupported{})
	default:
		t.once.Do(func() { close(t.canceled) })
		body.Res = &types.CancelTaskResponse{}
	}
	return body
}
