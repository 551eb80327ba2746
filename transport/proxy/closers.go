package proxy

import (
	"errors"
	"io"
)

// Closers is a set of relays (Fronts, Servers, a Mesh) closed together:
// Close closes each in order and joins their errors.
type Closers []io.Closer

// Close closes every closer in order.
func (cs Closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
