package history

import (
	"errors"

	"faultline/system/backend"
)

// OutcomeOf classifies the error of a client call, the one place Faultline
// does so: nil is OK; an error wrapping backend.ErrDefinite is Fail (the
// operation certainly did not take effect); any other error is Info (the
// outcome is unknown: a timeout, a lost connection).
func OutcomeOf(err error) Outcome {
	switch {
	case err == nil:
		return OK
	case errors.Is(err, backend.ErrDefinite):
		return Fail
	default:
		return Info
	}
}
