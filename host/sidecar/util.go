package sidecar

import (
	"fmt"
	"html"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func htmlEscape(s string) string { return html.EscapeString(s) }
