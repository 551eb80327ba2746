package transport

import (
	"errors"
	"fmt"
)

// ErrFaultUnsupported is wrapped by the errors of a LinkFaulter that cannot
// apply some field of a LinkFaults (see FaultSupport).
var ErrFaultUnsupported = errors.New("link fault not supported")

// LinkFaulter is the fault-injection seam implemented by every transport.
// Node names are the names the transport knows its endpoints by (simnet
// server names, or tcp node names).
type LinkFaulter interface {
	// SetLink replaces the faults of the directed link from -> to.
	SetLink(from, to string, f LinkFaults) error
	// Link returns the faults currently on from -> to.
	Link(from, to string) LinkFaults
	// HealAll removes every link fault.
	HealAll()
}

// FaultSupport is an optional interface of a LinkFaulter that says which
// faults it applies. A LinkFaulter without it is taken to apply only
// Delay, uniform Jitter, independent Drop, Duplicate, Reorder,
// ReorderDelay and Blocked.
type FaultSupport interface {
	// SupportsLink returns nil if the faulter applies every field of f,
	// message by message, as LinkFaults documents; otherwise an error
	// wrapping ErrFaultUnsupported naming what it cannot apply (or f's
	// validation error).
	SupportsLink(f LinkFaults) error
}

// Supports returns nil if lf applies every field of f: it asks lf's
// FaultSupport, and of a LinkFaulter without one accepts only the fields
// every faulter applies (Delay, uniform Jitter, independent Drop,
// Duplicate, Reorder, ReorderDelay, Blocked). Otherwise its error wraps
// ErrFaultUnsupported and names the first field lf cannot apply, or is
// f's validation error.
func Supports(lf LinkFaulter, f LinkFaults) error {
	if s, ok := lf.(FaultSupport); ok {
		return s.SupportsLink(f)
	}
	if err := f.Validate(); err != nil {
		return err
	}
	var what string
	switch {
	case f.Bandwidth > 0:
		what = "a bandwidth limit"
	case f.Conn != ConnNone:
		what = "connection fault " + string(f.Conn)
	case f.Jitter > 0 && f.Distribution != "" && f.Distribution != DelayUniform:
		what = "a " + string(f.Distribution) + " delay"
	case f.Burst > 1 && f.Drop > 0:
		what = "bursty loss"
	default:
		return nil
	}
	return fmt.Errorf("%s (the fault table does not say it applies it): %w", what, ErrFaultUnsupported)
}

// Layer names where a LinkFaulter applies its faults, as a fault record
// reports it.
type Layer string

// Fault layers.
const (
	// LayerTransport: Faultline's own transports (transport/tcp's tables
	// in the nodes, transport/simnet), message by message.
	LayerTransport Layer = "transport"
	// LayerProxy: byte-stream proxies between the nodes (transport/proxy).
	LayerProxy Layer = "proxy"
	// LayerKernel: the kernel's network between nodes that are hosts of
	// their own (nftables rules, tc qdiscs).
	LayerKernel Layer = "kernel"
)

// Layered is an optional interface of a LinkFaulter that names its layer.
type Layered interface {
	FaultLayer() Layer
}

// LayerOf returns lf's layer: what its Layered says, else LayerTransport.
func LayerOf(lf LinkFaulter) Layer {
	if l, ok := lf.(Layered); ok {
		return l.FaultLayer()
	}
	return LayerTransport
}
