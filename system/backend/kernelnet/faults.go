package kernelnet

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/google/nftables"

	"faultline/transport"
)

// Faults applies link faults between the hosts of a Net in the kernel
// (see the package doc). It implements transport.LinkFaulter,
// transport.FaultSupport and transport.Layered; node names are the
// hosts' names. Build it with NewFaults; the Net's Close removes what it
// made.
type Faults struct {
	net   *Net
	table *nftables.Table

	mu     sync.Mutex
	chains map[string]*nftables.Chain         // per node: the ingress chain of its veth
	links  map[[2]string]transport.LinkFaults // faulted links only
	// past sums the counters of the rules replaced so far, by link and
	// action, so that Counters still shows healed faults.
	past map[counterKey]Counter
	// written says which chains may hold rules (each kernel transaction
	// costs: one that would only empty an empty chain is skipped).
	written map[string]bool
}

// counterKey keys Faults.past.
type counterKey struct {
	link   [2]string
	action string
}

var (
	_ transport.LinkFaulter  = (*Faults)(nil)
	_ transport.FaultSupport = (*Faults)(nil)
	_ transport.Layered      = (*Faults)(nil)
)

// NewFaults makes n's nftables table (netdev family, named n.ID) with one
// empty ingress chain per host, on its bridge-side veth.
func NewFaults(n *Net) (*Faults, error) {
	f := &Faults{net: n, chains: map[string]*nftables.Chain{}, links: map[[2]string]transport.LinkFaults{},
		past: map[counterKey]Counter{}, written: map[string]bool{}}
	c, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("kernelnet: nftables: %w", err)
	}
	f.table = c.AddTable(&nftables.Table{Name: n.ID, Family: nftables.TableFamilyNetdev})
	accept := nftables.ChainPolicyAccept
	for _, h := range n.Hosts {
		f.chains[h.Name] = c.AddChain(&nftables.Chain{
			Name: h.Name, Table: f.table, Type: nftables.ChainTypeFilter,
			Hooknum: nftables.ChainHookIngress, Priority: nftables.ChainPriorityFilter,
			Policy: &accept, Device: h.Veth,
		})
	}
	if err := c.Flush(); err != nil {
		return nil, fmt.Errorf("kernelnet: nftables table %s: %w", n.ID, err)
	}
	return f, nil
}

// FaultLayer implements transport.Layered: the kernel.
func (f *Faults) FaultLayer() transport.Layer { return transport.LayerKernel }

// SetLink implements transport.LinkFaulter: it rewrites the rules of
// from's chain and, when the bandwidth of the link changes, the shaping on
// to's veth.
func (f *Faults) SetLink(from, to string, lf transport.LinkFaults) error {
	if err := f.SupportsLink(lf); err != nil {
		return err
	}
	if _, ok := f.net.Host(from); !ok {
		return fmt.Errorf("kernelnet: unknown node %q", from)
	}
	if _, ok := f.net.Host(to); !ok || from == to {
		return fmt.Errorf("kernelnet: link %s->%s: unknown or same node %q", from, to, to)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	l := [2]string{from, to}
	old := f.links[l]
	if lf.Healthy() {
		delete(f.links, l)
	} else {
		f.links[l] = lf
	}
	err := f.writeRules(from)
	if old.Bandwidth != lf.Bandwidth {
		err = errors.Join(err, f.shape(to))
	}
	return err
}

// Link implements transport.LinkFaulter.
func (f *Faults) Link(from, to string) transport.LinkFaults {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.links[[2]string{from, to}]
}

// HealAll implements transport.LinkFaulter: every chain emptied, every
// shaping removed.
func (f *Faults) HealAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links = map[[2]string]transport.LinkFaults{}
	for _, h := range f.net.Hosts {
		_ = f.writeRules(h.Name)
		_ = f.shape(h.Name)
	}
}

// outOf lists the faulted links out of from, in order. f.mu is held.
func (f *Faults) outOf(from string) [][2]string {
	var out [][2]string
	for l := range f.links {
		if l[0] == from {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return cmp.Compare(a[1], b[1]) })
	return out
}

// writeRules replaces the rules of from's chain by those of its faulted
// links, in one transaction. f.mu is held.
func (f *Faults) writeRules(from string) error {
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("kernelnet: nftables: %w", err)
	}
	ch := f.chains[from]
	had := f.written[from]
	if had {
		old, err := c.GetRules(f.table, ch)
		if err != nil {
			return fmt.Errorf("kernelnet: rules of %s: %w", from, err)
		}
		for _, r := range old {
			if k, ok := ruleCounter(r); ok {
				f.addPast(k)
			}
		}
		c.FlushChain(ch)
	}
	n := 0
	for _, l := range f.outOf(from) {
		to, _ := f.net.Host(l[1])
		for _, r := range linkRules(l, to.IP, f.links[l]) {
			r.Table, r.Chain = f.table, ch
			c.AddRule(r)
			n++
		}
	}
	if n == 0 && !had {
		return nil
	}
	if err := c.Flush(); err != nil {
		f.written[from] = true // whatever it held, it may hold still
		return fmt.Errorf("kernelnet: rules of %s: %w", from, err)
	}
	f.written[from] = n > 0
	return nil
}

// Counter is what the kernel counted on one rule of a link.
type Counter struct {
	// Link is the directed link, Action what the rule does ("block",
	// "loss", "reset").
	Link    [2]string
	Action  string
	Packets uint64
	Bytes   uint64
}

// Counters returns what the kernel counted per link and action, on the
// rules in effect and on those replaced or healed before (packets matched
// between the last read of a rule and its removal are not counted), in
// link order.
func (f *Faults) Counters() ([]Counter, error) {
	c, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("kernelnet: nftables: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sum := maps.Clone(f.past)
	for _, ch := range f.chains {
		rs, err := c.GetRules(f.table, ch)
		if err != nil {
			return nil, fmt.Errorf("kernelnet: rules of %s: %w", ch.Name, err)
		}
		for _, r := range rs {
			if k, ok := ruleCounter(r); ok {
				key := counterKey{k.Link, k.Action}
				p := sum[key]
				k.Packets, k.Bytes = k.Packets+p.Packets, k.Bytes+p.Bytes
				sum[key] = k
			}
		}
	}
	out := slices.Collect(maps.Values(sum))
	slices.SortFunc(out, func(a, b Counter) int {
		return cmp.Or(cmp.Compare(a.Link[0], b.Link[0]), cmp.Compare(a.Link[1], b.Link[1]), cmp.Compare(a.Action, b.Action))
	})
	return out, nil
}

// addPast adds k to the counters of replaced rules. f.mu is held.
func (f *Faults) addPast(k Counter) {
	key := counterKey{k.Link, k.Action}
	p := f.past[key]
	p.Link, p.Action = k.Link, k.Action
	p.Packets += k.Packets
	p.Bytes += k.Bytes
	f.past[key] = p
}

// NetID returns the id of the Net the faults are applied in.
func (f *Faults) NetID() string { return f.net.ID }
