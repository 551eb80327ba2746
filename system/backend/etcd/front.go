package etcd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"faultline/transport/proxy"
)

// senderHeader is the header in which etcd's rafthttp names the member
// that sends a peer request, as a hexadecimal member ID.
const senderHeader = "X-Server-From"

// maxHead bounds the request head a Front reads before it routes.
const maxHead = 16 << 10

// headTimeout bounds how long a Front waits for a request head.
const headTimeout = 10 * time.Second

// Front accepts the peer connections meant for one member on the member's
// advertised peer address, learns from each connection's first request
// which member dialled it (etcd's X-Server-From header), and forwards the
// connection to the address Route picks for that sender: with one
// forwarding target per sender, such as a per-link proxy, faults apply per
// directed link. It is the piece that makes per-link network faults exact
// for etcd (see the package doc).
type Front struct {
	to      string
	senders map[string]string // hexadecimal member ID -> node name
	route   func(from, to string) string
	srv     *proxy.Server // accepts, and tracks the connections both ways
}

// ServeFronts starts a Front for every link on its Advertise address.
// route(from, to) returns where a connection that member from opened to
// member to goes, or "" to refuse it; from is "" for requests without a
// known sender (etcd's /version and lease forwarding), which should
// normally go to the Listen address of to. Closing the returned Closer
// closes every Front.
func ServeFronts(links []PeerLink, route func(from, to string) string) (io.Closer, error) {
	senders := make(map[string]string, len(links))
	for _, l := range links {
		senders[fmt.Sprintf("%x", l.ID)] = l.Node
	}
	var fs proxy.Closers
	for _, l := range links {
		ln, err := net.Listen("tcp", l.Advertise)
		if err != nil {
			fs.Close()
			return nil, fmt.Errorf("etcd: front of %s: %w", l.Node, err)
		}
		f := &Front{to: l.Node, senders: senders, route: route}
		f.srv = proxy.Serve(ln, f.serve)
		fs = append(fs, f)
	}
	return fs, nil
}

// Close stops accepting, closes every connection through the Front and
// waits for its goroutines. It is safe to call more than once.
func (f *Front) Close() error { return f.srv.Close() }

// serve routes one connection by its first request head and splices it
// to the chosen target.
func (f *Front) serve(s *proxy.Server, c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(headTimeout))
	br := bufio.NewReaderSize(c, 4096)
	head, from, err := readHead(br)
	if err != nil {
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	target := f.route(f.senders[from], f.to)
	if target == "" {
		return
	}
	s.Splice(c, target, head, br)
}

// readHead reads an HTTP request head (up to the blank line) and returns
// its bytes and the value of its sender header, "" if absent.
func readHead(br *bufio.Reader) (head []byte, from string, err error) {
	var buf bytes.Buffer
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil, "", fmt.Errorf("etcd: front: request head: %w", err)
		}
		buf.Write(line)
		if buf.Len() > maxHead {
			return nil, "", errors.New("etcd: front: request head too long")
		}
		s := strings.TrimRight(string(line), "\r\n")
		if s == "" {
			return buf.Bytes(), from, nil
		}
		if k, v, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(k), senderHeader) {
			from = strings.ToLower(strings.TrimSpace(v))
		}
	}
}
