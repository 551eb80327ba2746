package raft

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"go.etcd.io/raft/v3/raftpb"
)

// etcdStreamBuf is the capacity of the queue of messages to one peer,
// rafthttp's streamBufSize: a message that finds the queue full is dropped
// and the peer reported unreachable, as rafthttp does.
const etcdStreamBuf = 4096

// etcdStreams is the transport of one etcd-raft node in the benchmark,
// shaped as rafthttp's streams: one persistent TCP connection to each
// peer, written by one goroutine that frames each marshalled
// raftpb.Message behind an 8-byte length (rafthttp's messageEncoder) and
// flushes its buffer when its queue runs dry or half a queue's worth has
// been batched (rafthttp's streamWriter); on the receiving side one
// goroutine per connection decodes messages and steps them into the node
// (rafthttp's streamReader handing them to raft.Node.Step).
type etcdStreams struct {
	ln   net.Listener
	out  map[uint64]*etcdStream
	step func(context.Context, raftpb.Message) error
	// unreachable reports a peer whose queue was full
	// (raft.Node.ReportUnreachable).
	unreachable func(id uint64)

	mu     sync.Mutex
	conns  []net.Conn // accepted, closed on close
	closed bool
	wg     sync.WaitGroup
	ctx    context.Context
	stop   context.CancelFunc
}

// etcdStream is the outgoing stream to one peer.
type etcdStream struct {
	conn net.Conn
	msgc chan raftpb.Message
}

// listenEtcdStreams listens on a loopback port for the streams of peers.
func listenEtcdStreams() (*etcdStreams, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("etcd stream listen: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	return &etcdStreams{ln: ln, out: map[uint64]*etcdStream{}, ctx: ctx, stop: stop}, nil
}

// start accepts incoming streams, stepping their messages with step, and
// dials one stream to each peer in addrs (by node ID).
func (s *etcdStreams) start(addrs map[uint64]string, step func(context.Context, raftpb.Message) error, unreachable func(uint64)) error {
	s.step, s.unreachable = step, unreachable
	s.wg.Go(s.accept)
	for id, addr := range addrs {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return fmt.Errorf("etcd stream dial %s: %w", addr, err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		st := &etcdStream{conn: conn, msgc: make(chan raftpb.Message, etcdStreamBuf)}
		s.out[id] = st
		s.wg.Go(st.write)
	}
	return nil
}

// send queues msgs on their peers' streams, dropping (and reporting the
// peer unreachable) when a queue is full.
func (s *etcdStreams) send(msgs []raftpb.Message) {
	for _, m := range msgs {
		st, ok := s.out[m.To]
		if !ok {
			continue
		}
		select {
		case st.msgc <- m:
		default:
			s.unreachable(m.To)
		}
	}
}

// write encodes the queued messages onto the connection until the queue
// is closed or the connection fails.
func (st *etcdStream) write() {
	w := bufio.NewWriterSize(st.conn, 64<<10)
	var buf []byte
	batched := 0
	for m := range st.msgc {
		size := m.Size()
		if cap(buf) < 8+size {
			buf = make([]byte, 8+size)
		}
		buf = buf[:8+size]
		binary.BigEndian.PutUint64(buf, uint64(size))
		if _, err := m.MarshalTo(buf[8:]); err != nil {
			return
		}
		if _, err := w.Write(buf); err != nil {
			return
		}
		batched++
		if len(st.msgc) == 0 || batched > etcdStreamBuf/2 {
			if err := w.Flush(); err != nil {
				return
			}
			batched = 0
		}
	}
}

// accept serves each incoming connection with a reader.
func (s *etcdStreams) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns = append(s.conns, conn)
		s.mu.Unlock()
		s.wg.Go(func() { s.read(conn) })
	}
}

// etcdMaxMsg bounds a frame's length: a larger one is a broken stream.
const etcdMaxMsg = 64 << 20

// read decodes messages from conn and steps each into the node.
func (s *etcdStreams) read(conn net.Conn) {
	r := bufio.NewReaderSize(conn, 64<<10)
	var hdr [8]byte
	var buf []byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		size := binary.BigEndian.Uint64(hdr[:])
		if size > etcdMaxMsg {
			return
		}
		if uint64(cap(buf)) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			return
		}
		var m raftpb.Message
		if err := m.Unmarshal(buf); err != nil {
			return
		}
		if err := s.step(s.ctx, m); err != nil && !errors.Is(err, context.Canceled) {
			return
		}
	}
}

// close stops every stream and waits for their goroutines. The node
// must no longer send.
func (s *etcdStreams) close() {
	s.stop()
	s.ln.Close()
	for _, st := range s.out {
		close(st.msgc)
		st.conn.Close()
	}
	s.mu.Lock()
	s.closed = true
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
