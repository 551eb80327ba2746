package nodeproc

import (
	"errors"
	"sync"

	"faultline/transport/tcp"
)

// Conns is the tcp clients that one owner (a node, a backend client, a
// cluster's admin side) dialed, closed together by Close. It is safe for
// concurrent use; the zero value is empty and ready.
type Conns struct {
	mu   sync.Mutex
	list []*tcp.Client
}

// Dial dials addr with cfg, naming the link's far end by its address, and
// keeps the client for Close.
func (c *Conns) Dial(addr string, cfg tcp.Config) *tcp.Client {
	return c.keep(tcp.Dial(addr, cfg))
}

// DialNamed dials addr with cfg, naming the link's far end name, and keeps
// the client for Close.
func (c *Conns) DialNamed(name, addr string, cfg tcp.Config) *tcp.Client {
	return c.keep(tcp.DialNamed(name, addr, cfg))
}

func (c *Conns) keep(cl *tcp.Client) *tcp.Client {
	c.mu.Lock()
	c.list = append(c.list, cl)
	c.mu.Unlock()
	return cl
}

// Close closes every client dialed so far and forgets them.
func (c *Conns) Close() error {
	c.mu.Lock()
	list := c.list
	c.list = nil
	c.mu.Unlock()
	errs := make([]error, 0, len(list))
	for _, cl := range list {
		errs = append(errs, cl.Close())
	}
	return errors.Join(errs...)
}
