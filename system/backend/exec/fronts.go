package exec

import (
	"fmt"
	"io"
	"net"
	"strconv"

	"faultline/transport/proxy"
)

// hostOf is node i's own loopback address with proxies source-fronts:
// 127.0.1.1 for n0, 127.0.1.2 for n1, and so on (every 127/8 address is
// the loopback interface's).
func hostOf(i int) string { return "127.0." + strconv.Itoa(1+i/250) + "." + strconv.Itoa(1+i%250) }

// sourceFronts listens on every node's advertised address and hands each
// connection to the proxy of its link, telling the sender by the
// connection's source address (a node binds its outgoing connections to
// its own host, as Redis's bind-source-addr does). A connection from an
// address that is no node's goes straight to the node, unfaulted.
func (p *plan) sourceFronts(mesh *proxy.Mesh) (io.Closer, error) {
	n := len(p.client)
	sender := make(map[string]int, n)
	for i := range n {
		sender[hostOf(i)] = i
	}
	var fs proxy.Closers
	for j := range n {
		ln, err := net.Listen("tcp", p.advertise[j])
		if err != nil {
			fs.Close()
			return nil, fmt.Errorf("exec: front of %s: %w", nodeName(j), err)
		}
		fs = append(fs, proxy.Serve(ln, func(s *proxy.Server, c net.Conn) {
			target := p.target(j)
			host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
			if i, ok := sender[host]; ok && i != j {
				target = mesh.Addr(nodeName(i), nodeName(j))
			}
			s.Splice(c, target, nil, nil)
		}))
	}
	return fs, nil
}
