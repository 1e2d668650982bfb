package main

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Measurement support for bench/adapters.ts: the SOAP method of every /sdk request in order, and
// when each vmshift task (relocate/migrate) finished, as the task's info.completeTime records it.

// completions maps a task moref value to the time.Time written to its info.completeTime.
var completions sync.Map

// recordCompletion is called by a task as it ends (success, error or cancel).
func recordCompletion(task string, at time.Time) {
	completions.Store(task, at)
}

// logMethod appends one /sdk request's SOAP method ("?" when the body names none).
func (k *knobs) logMethod(method string) {
	if method == "" {
		method = "?"
	}
	k.mu.Lock()
	k.methods = append(k.methods, method)
	k.mu.Unlock()
}

// measureHandlers adds:
//
//	GET /vmshift/request-log           {"sdk": N, "log": ["RetrieveServiceContent", ...], "methods": {"Login": 1, ...}}
//	GET /vmshift/task?task=task-101    {"completeTime": <ms since the epoch>} once the task ended, {} before
func measureHandlers(mux *http.ServeMux, k *knobs) {
	mux.HandleFunc("/vmshift/request-log", func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		log := append([]string{}, k.methods...)
		k.mu.Unlock()
		counts := map[string]int{}
		for _, m := range log {
			counts[m]++
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"sdk": k.requests.Load(), "log": log, "methods": counts})
	})
	mux.HandleFunc("/vmshift/task", func(w http.ResponseWriter, r *http.Request) {
		answer := map[string]int64{}
		if at, ok := completions.Load(r.URL.Query().Get("task")); ok {
			answer["completeTime"] = at.(time.Time).UnixMilli()
		}
		_ = json.NewEncoder(w).Encode(answer)
	})
}
