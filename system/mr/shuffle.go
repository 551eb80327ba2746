package mr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"faultline/transport/tcp"
)

// fetchChunk is how much intermediate data one MapOutputs.Fetch moves.
const fetchChunk = 4 << 20

// errNotServed says a worker does not hold the map output asked for.
var errNotServed = errors.New("map output not held by that worker")

// mapOutputs is the RPC service "MapOutputs" by which a worker serves the
// intermediate files in its local directory to reduce workers.
type mapOutputs struct {
	dir string
}

// Fetch returns up to args.Max bytes (at most fetchChunk) of the output of
// map task args.Map for reduce task args.Reduce, from args.Offset.
func (s *mapOutputs) Fetch(args *FetchArgs, reply *FetchReply) {
	if args.Map < 0 || args.Reduce < 0 || args.Offset < 0 {
		return
	}
	f, err := os.Open(filepath.Join(s.dir, intermediateName(args.Map, args.Reduce)))
	if err != nil {
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return
	}
	size := info.Size()
	n := int64(fetchChunk)
	if args.Max > 0 && int64(args.Max) < n {
		n = int64(args.Max)
	}
	n = max(min(n, size-args.Offset), 0)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, args.Offset); err != nil && !errors.Is(err, io.EOF) {
		return
	}
	reply.Found = true
	reply.Data = buf
	reply.EOF = args.Offset+n >= size
}

// peerClients keeps one client per worker that intermediates are fetched
// from.
type peerClients struct {
	cfg     tcp.Config
	mu      sync.Mutex
	clients map[string]*tcp.Client
}

func newPeerClients(cfg tcp.Config) *peerClients {
	return &peerClients{cfg: cfg, clients: make(map[string]*tcp.Client)}
}

func (p *peerClients) client(addr string) *tcp.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.clients[addr]
	if c == nil {
		c = tcp.Dial(addr, p.cfg)
		p.clients[addr] = c
	}
	return c
}

// fetch reads map task m's output for reduce task y from the worker at
// addr, chunk by chunk, each chunk bounded by timeout.
func (p *peerClients) fetch(ctx context.Context, addr string, m, y int, timeout time.Duration) (string, error) {
	c := p.client(addr)
	var data []byte
	for {
		var reply FetchReply
		cctx, cancel := context.WithTimeout(ctx, timeout)
		err := c.CallContext(cctx, "MapOutputs.Fetch", &FetchArgs{Map: m, Reduce: y, Offset: int64(len(data)), Max: fetchChunk}, &reply)
		cancel()
		if err != nil {
			return "", fmt.Errorf("fetch %s from %s: %w", intermediateName(m, y), addr, err)
		}
		if !reply.Found {
			return "", fmt.Errorf("fetch %s from %s: %w", intermediateName(m, y), addr, errNotServed)
		}
		data = append(data, reply.Data...)
		if reply.EOF {
			return bytesToString(data), nil
		}
	}
}

func (p *peerClients) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, c := range p.clients {
		c.Close()
		delete(p.clients, addr)
	}
}
