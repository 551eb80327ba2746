package tcp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// peerBytes is a peer that sends data and then hangs up: the side under
// test reads from it and its writes are kept.
type peerBytes struct {
	r       *bytes.Reader
	written int
}

func (p *peerBytes) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *peerBytes) Write(b []byte) (int, error) { p.written += len(b); return len(b), nil }

// FuzzHandshake feeds arbitrary bytes from a peer to either side of the
// HMAC handshake (the low bit of side picks which): it must never panic,
// never authenticate (the peer cannot know the nonces, let alone the
// secret), never read past the fixed message sizes, and always return, since
// the peer's bytes end.
func FuzzHandshake(f *testing.F) {
	hello := testHello(make([]byte, nonceSize))
	f.Add(hello, uint8(0))
	f.Add(append(append([]byte(nil), hello...), make([]byte, proofSize)...), uint8(0))
	f.Add(hello[:5], uint8(0))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), uint8(0))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0xa5, 0x01}, uint8(0)) // a TLS ClientHello's start
	req, _ := appendRequest(nil, 1, "Echo.Echo", &EchoArgs{N: 1}, 1<<20)
	f.Add(req, uint8(0))
	challenge := append(append([]byte(nil), hello[:8]...), make([]byte, nonceSize+macSize)...)
	f.Add(challenge, uint8(1))
	f.Add(append(challenge, ackByte), uint8(1))
	f.Add([]byte{}, uint8(1))
	secret := []byte("fuzz secret, sixteen bytes or more")
	f.Fuzz(func(t *testing.T, data []byte, side uint8) {
		p := &peerBytes{r: bytes.NewReader(data)}
		var err error
		if side&1 == 0 {
			err = serverHandshake(p, secret)
		} else {
			err = clientHandshake(p, secret)
		}
		if err == nil {
			t.Fatalf("authenticated a peer sending %x", data)
		}
		if !errors.Is(err, ErrAuth) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("error %v is neither ErrAuth nor the end of the peer's bytes", err)
		}
		read := len(data) - p.r.Len()
		limit := helloSize + proofSize
		if side&1 == 1 {
			limit = challengeSize + 1
		}
		if read > limit {
			t.Fatalf("read %d bytes of the handshake, max %d", read, limit)
		}
	})
}
