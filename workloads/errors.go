package workloads

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one problem with one config field. Path names the field in
// the config's YAML shape ("workload.clients", "phases[1].rate"); File and
// Line locate it when the config came from a file.
type FieldError struct {
	File string
	Line int
	Path string
	Msg  string
}

// Error formats the error as "file:line: path: msg", leaving out what is
// unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is a list of config problems, reported together.
type Errors []*FieldError

// Error joins the problems one per line.
func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Fields returns the FieldErrors inside err (an Errors, a *FieldError, or
// either wrapped), or nil.
func Fields(err error) []*FieldError {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return []*FieldError{fe}
	}
	return nil
}

// errs collects FieldErrors during validation.
type errs struct{ list Errors }

func (e *errs) add(path, format string, args ...any) {
	e.list = append(e.list, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (e *errs) err() error {
	if len(e.list) == 0 {
		return nil
	}
	return e.list
}
