package main

import (
	"strconv"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// pagingPC honours RetrieveOptions.maxObjects (stock vcsim returns everything) and implements
// ContinueRetrievePropertiesEx / CancelRetrievePropertiesEx. Embedded by value: the simulator
// makes one zero-valued copy per session by reflection.
type pagingPC struct {
	simulator.PropertyCollector

	pagesMu sync.Mutex
	pages   map[string]pending
	next    int
}

type pending struct {
	rest []types.ObjectContent
	max  int
}

func (pc *pagingPC) page(objects []types.ObjectContent, max int) types.RetrieveResult {
	if max <= 0 || len(objects) <= max {
		return types.RetrieveResult{Objects: objects}
	}
	pc.pagesMu.Lock()
	defer pc.pagesMu.Unlock()
	if pc.pages == nil {
		pc.pages = map[string]pending{}
	}
	pc.next++
	token := strconv.Itoa(pc.next)
	pc.pages[token] = pending{rest: objects[max:], max: max}
	return types.RetrieveResult{Objects: objects[:max], Token: token}
}

// RetrievePropertiesEx returns at most maxObjects objects and a token for the rest.
func (pc *pagingPC) RetrievePropertiesEx(ctx *simulator.Context, req *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, req)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	page := pc.page(body.Res.Returnval.Objects, int(req.Options.MaxObjects))
	body.Res.Returnval = &page
	return body
}

// ContinueRetrievePropertiesEx returns the next page of an earlier RetrievePropertiesEx.
func (pc *pagingPC) ContinueRetrievePropertiesEx(ctx *simulator.Context, req *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	pc.pagesMu.Lock()
	p, ok := pc.pages[req.Token]
	delete(pc.pages, req.Token)
	pc.pagesMu.Unlock()
	if !ok {
		body.Fault_ = simulator.Fault("A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: pc.page(p.rest, p.max)}
	return body
}

// CancelRetrievePropertiesEx drops the rest of a paged result.
func (pc *pagingPC) CancelRetrievePropertiesEx(ctx *simulator.Context, req *types.CancelRetrievePropertiesEx) soap.HasFault {
	pc.pagesMu.Lock()
	delete(pc.pages, req.Token)
	pc.pagesMu.Unlock()
	return &methods.CancelRetrievePropertiesExBody{Res: &types.CancelRetrievePropertiesExResponse{}}
}
