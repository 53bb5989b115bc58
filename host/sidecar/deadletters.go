package sidecar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/plugin/abi"
)

// Bounds of the dead-letter endpoints.
const (
	defaultDeadLimit = 100
	maxDeadLimit     = 1000
	maxRedeliverIDs  = 1000
)

// DeadLetters lists the shop's notifications that were given up, the most
// recently given up first, at most limit.
func (s *Service) DeadLetters(ctx context.Context, shop *ShopConfig, limit int) ([]DeadLetter, *Error) {
	dl, e := s.deadLetters()
	if e != nil {
		return nil, e
	}
	out, err := dl.DeadLetters(ctx, shop, limit)
	if err != nil {
		return nil, deadLetterError(shop, err)
	}
	if out == nil {
		out = []DeadLetter{}
	}
	return out, nil
}

// Redeliver queues the shop's dead letters named by ids (all of them when
// ids is empty) for delivery again, each with its retries afresh.
func (s *Service) Redeliver(ctx context.Context, shop *ShopConfig, ids []string) (int, *Error) {
	dl, e := s.deadLetters()
	if e != nil {
		return 0, e
	}
	n, err := dl.Redeliver(ctx, shop, ids) // the notifier logs what it queued
	if err != nil {
		return n, deadLetterError(shop, err)
	}
	return n, nil
}

func (s *Service) deadLetters() (DeadLetters, *Error) {
	if dl, ok := s.notify.(DeadLetters); ok {
		return dl, nil
	}
	return nil, errorf(404, "no_webhook", "%v", ErrNoDeadLetters)
}

// deadLetterError is 404 for a shop without webhooks, otherwise the
// outbox's failure (its store), which a retry may pass.
func deadLetterError(shop *ShopConfig, err error) *Error {
	if errors.Is(err, ErrNoDeadLetters) {
		return errorf(404, "no_webhook", "shop %s: %v", shop.ID, err)
	}
	return &Error{Status: 503, Code: "outbox_unavailable", Message: "webhook outbox: " + err.Error(), RetryAfter: 1}
}

// listDead answers GET /v1/webhooks/dead[?limit=N].
func (s *Server) listDead(rc *reqCtx) {
	limit := defaultDeadLimit
	if raw := rc.QueryArgs().Peek("limit"); raw != nil {
		n, err := strconv.Atoi(string(raw))
		if err != nil || n < 1 || n > maxDeadLimit {
			s.fail(rc, errorf(400, "bad_input", "limit must be a whole number from 1 to %d", maxDeadLimit))
			return
		}
		limit = n
	}
	out, e := s.svc.DeadLetters(rc.ctx, rc.shop, limit)
	s.reply(rc, 200, map[string]any{"deadLetters": out}, e)
}

// redeliverRequest is the body of POST /v1/webhooks/redeliver.
type redeliverRequest struct {
	// IDs are the event ids to send again; left out (or null), every dead
	// letter of the shop; an empty list is refused.
	IDs []string `json:"ids"`
}

// redeliver answers POST /v1/webhooks/redeliver.
func (s *Server) redeliver(rc *reqCtx) {
	var req redeliverRequest
	if body := bytes.TrimSpace(rc.PostBody()); len(body) > 0 {
		if e := decodeObject("redeliver: the body must be {\"ids\": [event ids]} or empty", body, &req); e != nil {
			s.fail(rc, e)
			return
		}
	}
	if req.IDs != nil && len(req.IDs) == 0 {
		// An empty list is most likely a filter that matched nothing:
		// sending every dead letter again would be the opposite.
		s.fail(rc, &Error{Status: 422, Code: abi.CodeValidation, Message: "ids: an empty list names no dead letter; leave ids out to send them all again",
			Fields: []wasmrt.Field{{Path: "ids", Rule: "min_items", Message: "must name at least one event id, or be left out (all)"}}})
		return
	}
	if e := checkEventIDs(req.IDs); e != nil {
		s.fail(rc, e)
		return
	}
	s.idempotent(rc, "", func() (int, any, *Error) {
		n, e := s.svc.Redeliver(rc.ctx, rc.shop, req.IDs)
		return 200, map[string]int{"redelivered": n}, e
	})
}

// checkEventIDs refuses more than maxRedeliverIDs ids, or one that is not
// an event id (64 lower-case hex digits, EventID).
func checkEventIDs(ids []string) *Error {
	if len(ids) > maxRedeliverIDs {
		return &Error{Status: 422, Code: abi.CodeValidation, Message: fmt.Sprintf("ids: at most %d at once", maxRedeliverIDs),
			Fields: []wasmrt.Field{{Path: "ids", Rule: "max_items", Message: fmt.Sprintf("at most %d ids", maxRedeliverIDs)}}}
	}
	for i, id := range ids {
		if !isEventID(id) {
			path := "ids." + strconv.Itoa(i)
			return &Error{Status: 422, Code: abi.CodeValidation, Message: path + ": not an event id",
				Fields: []wasmrt.Field{{Path: path, Rule: "event_id", Message: "an event id is 64 lower-case hex digits"}}}
		}
	}
	return nil
}

func isEventID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
