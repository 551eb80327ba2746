package tcp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/wire"
)

// rawFrame builds a frame from a type, id and raw payload, with a correct
// length prefix.
func rawFrame(t frameType, id uint64, payload []byte) []byte {
	b := appendHeader(nil, t, id)
	b = append(b, payload...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-lenSize))
	return b
}

// withLength builds a frame whose length prefix says n, followed by rest.
func withLength(n uint32, rest []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, n), rest...)
}

func TestFrameRoundTrip(t *testing.T) {
	req, err := appendRequest([]byte("junk"), 7, "Echo.Echo", &EchoArgs{N: 3, S: "x"}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	fr := newFrameReader(bufio.NewReader(bytes.NewReader(req[len("junk"):])), 1<<20)
	f, err := fr.next()
	if err != nil {
		t.Fatal(err)
	}
	if f.typ != frameRequest || f.id != 7 || string(f.method) != "Echo.Echo" {
		t.Fatalf("frame %v id %d method %q", f.typ, f.id, f.method)
	}
	var args EchoArgs
	if err := wire.Unmarshal(f.body, &args); err != nil || args.N != 3 || args.S != "x" {
		t.Fatalf("args %+v, err %v", args, err)
	}
	if _, err := fr.next(); err != io.EOF {
		t.Fatalf("after the only frame: err = %v, want io.EOF", err)
	}
	if _, err := appendRequest(nil, 1, "Echo.Echo", &EchoArgs{Pad: make([]byte, 2000)}, minFrameSize); !errors.Is(err, errFrameTooLarge) {
		t.Fatalf("request over max: err = %v, want errFrameTooLarge", err)
	}
	if _, err := appendRequest(nil, 1, string(make([]byte, maxMethodLen+1)), nil, 1<<20); err == nil {
		t.Fatal("accepted a method name longer than its length field can say")
	}
}

func TestDecodeFrame(t *testing.T) {
	const max = 1 << 10
	req := rawFrame(frameRequest, 1, append([]byte{0, 4}, "A.Bcbody"...))
	for _, tc := range []struct {
		name string
		in   []byte
		want []frame // frames before the error
		err  error   // io.EOF for a clean end
	}{
		{"empty", nil, nil, io.EOF},
		{"request", req, []frame{{typ: frameRequest, id: 1, method: []byte("A.Bc"), body: []byte("body")}}, io.EOF},
		{"two frames", append(rawFrame(frameReply, 2, []byte("r")), rawFrame(frameError, 3, []byte("e"))...),
			[]frame{{typ: frameReply, id: 2, body: []byte("r")}, {typ: frameError, id: 3, body: []byte("e")}}, io.EOF},
		{"max size", rawFrame(frameReply, 9, make([]byte, max-headerSize)),
			[]frame{{typ: frameReply, id: 9, body: make([]byte, max-headerSize)}}, io.EOF},
		{"over max", rawFrame(frameReply, 9, make([]byte, max-headerSize+1)), nil, errFrameTooLarge},
		{"huge length", withLength(0xffffffff, nil), nil, errFrameTooLarge},
		{"short length", withLength(headerSize-1, make([]byte, headerSize-1)), nil, errMalformed},
		{"zero length", withLength(0, nil), nil, errMalformed},
		{"partial length", []byte{0, 0}, nil, errTruncated},
		{"truncated body", req[:len(req)-1], nil, errTruncated},
		{"truncated after a frame", append(rawFrame(frameReply, 2, nil), 0, 0, 0, 20, 2), []frame{{typ: frameReply, id: 2, body: []byte{}}}, errTruncated},
		{"unknown type", rawFrame(7, 1, nil), nil, errMalformed},
		{"request without method length", rawFrame(frameRequest, 1, []byte{0}), nil, errMalformed},
		{"method longer than frame", rawFrame(frameRequest, 1, []byte{0, 9, 'a'}), nil, errMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A small read buffer sends large frames down the other path.
			for _, size := range []int{16, 4096} {
				fr := newFrameReader(bufio.NewReaderSize(bytes.NewReader(tc.in), size), max)
				var got []frame
				var err error
				for {
					var f frame
					if f, err = fr.next(); err != nil {
						break
					}
					f.method, f.body = bytes.Clone(f.method), bytes.Clone(f.body)
					got = append(got, f)
				}
				if !errors.Is(err, tc.err) {
					t.Errorf("buffer %d: err = %v, want %v", size, err, tc.err)
				}
				if len(got) != len(tc.want) {
					t.Fatalf("buffer %d: %d frames, want %d", size, len(got), len(tc.want))
				}
				for i := range got {
					g, w := got[i], tc.want[i]
					if g.typ != w.typ || g.id != w.id || !bytes.Equal(g.method, w.method) || !bytes.Equal(g.body, w.body) {
						t.Errorf("buffer %d: frame %d = %+v, want %+v", size, i, g, w)
					}
				}
			}
		})
	}
}

// FuzzDecodeFrame feeds arbitrary bytes to the frame reader. It must never
// panic, never return a frame over max, end with io.EOF only at a frame
// boundary, fail only with the frame errors, and every frame it returns must
// re-encode to exactly the bytes it was read from.
func FuzzDecodeFrame(f *testing.F) {
	req, _ := appendRequest(nil, 1, "Echo.Echo", &EchoArgs{N: 1, S: "s"}, 1<<20)
	f.Add(req, uint8(0))
	f.Add(append(rawFrame(frameReply, 2, []byte("reply")), rawFrame(frameError, 3, []byte("error"))...), uint8(1))
	f.Add(rawFrame(frameReply, 9, make([]byte, 300)), uint8(0))
	f.Add(withLength(0xffffffff, nil), uint8(0))
	f.Add(withLength(5, []byte{1, 2, 3, 4, 5}), uint8(0))
	f.Add(req[:len(req)-2], uint8(2))
	f.Add(rawFrame(frameRequest, 1, []byte{0xff, 0xff, 'a'}), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, bufSel uint8) {
		const max = 1 << 12
		size := 16 << (bufSel % 8) // 16 B .. 2 KiB: both read paths
		fr := newFrameReader(bufio.NewReaderSize(bytes.NewReader(data), size), max)
		off := 0
		for {
			fm, err := fr.next()
			if err != nil {
				switch {
				case err == io.EOF:
					if off != len(data) {
						t.Fatalf("io.EOF at offset %d of %d", off, len(data))
					}
				case errors.Is(err, errFrameTooLarge), errors.Is(err, errMalformed), errors.Is(err, errTruncated):
				default:
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			n := lenSize + int(binary.BigEndian.Uint32(data[off:]))
			if n-lenSize > max {
				t.Fatalf("frame of %d bytes over max %d", n-lenSize, max)
			}
			if got := appendFrame(nil, fm); !bytes.Equal(got, data[off:off+n]) {
				t.Fatalf("frame at %d re-encodes to %x, read from %x", off, got, data[off:off+n])
			}
			off += n
		}
	})
}

// Pinger is the service FuzzServe calls: one method that cannot block or
// allocate without bound.
type Pinger struct{}

// Ping echoes args.N.
func (Pinger) Ping(args *EchoArgs, reply *EchoReply) { reply.N = args.N }

// FuzzServe writes arbitrary bytes to a live listener over a raw
// connection, then hangs up. The server must not crash, must close the
// connection (it never waits for more than the input), and may only send
// back well-formed reply or error frames.
func FuzzServe(f *testing.F) {
	req, _ := appendRequest(nil, 1, "Pinger.Ping", &EchoArgs{N: 1}, 1<<20)
	f.Add(req)
	f.Add(append(append([]byte(nil), req...), req...))
	f.Add(rawFrame(frameRequest, 2, append([]byte{0, 11}, "Pinger.Ping\xc1"...)))
	f.Add(rawFrame(frameRequest, 3, append([]byte{0, 8}, "Nope.Ping"...)))
	f.Add(withLength(1<<30, nil))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	srv := transport.NewServer()
	if err := srv.Register(Pinger{}); err != nil {
		f.Fatal(err)
	}
	l, err := Listen("127.0.0.1:0", srv, Config{MaxFrameSize: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { l.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		nc, err := net.Dial("tcp", l.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := nc.Write(data); err != nil {
			return // the server hung up early: fine
		}
		_ = nc.(*net.TCPConn).CloseWrite()
		fr := newFrameReader(bufio.NewReader(nc), 1<<16)
		for {
			fm, err := fr.next()
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				t.Fatal("the server kept the connection open")
			case err != nil:
				return // closed, or reset
			case fm.typ != frameReply && fm.typ != frameError:
				t.Fatalf("server sent a %v frame", fm.typ)
			}
		}
	})
}
