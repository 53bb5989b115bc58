package ops

import (
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// opError is an error envelope in the making.
type opError struct {
	code    string
	message string
	fields  []reservation.FieldError
	extra   func(w *jsonx.Writer) // more members of the error object
}

func writeError(w *jsonx.Writer, e *opError) {
	w.BeginObject()
	w.KeyLit("ok")
	w.Bool(false)
	w.KeyLit("error")
	w.BeginObject()
	w.KeyLit("code")
	w.String(e.code)
	w.KeyLit("message")
	w.String(e.message)
	if e.extra != nil {
		e.extra(w)
	}
	w.KeyLit("fields")
	w.BeginArray()
	for _, f := range e.fields {
		w.BeginObject()
		w.KeyLit("path")
		w.String(f.Path)
		w.KeyLit("rule")
		w.String(f.Rule)
		w.KeyLit("message")
		w.String(f.Message)
		w.EndObject()
	}
	w.EndArray()
	w.EndObject()
	w.EndObject()
}
