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
	w.Key("ok")
	w.Bool(false)
	w.Key("error")
	w.BeginObject()
	w.Key("code")
	w.String(e.code)
	w.Key("message")
	w.String(e.message)
	if e.extra != nil {
		e.extra(w)
	}
	w.Key("fields")
	w.BeginArray()
	for _, f := range e.fields {
		w.BeginObject()
		w.Key("path")
		w.String(f.Path)
		w.Key("rule")
		w.String(f.Rule)
		w.Key("message")
		w.String(f.Message)
		w.EndObject()
	}
	w.EndArray()
	w.EndObject()
	w.EndObject()
}
