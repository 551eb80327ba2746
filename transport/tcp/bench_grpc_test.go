package tcp

import (
	"context"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/typepb"
)

// The grpc-go contender of BenchmarkRatioParallel64: unary calls of one
// method, driven as grpc's performance guide (grpc.io/docs/guides/performance)
// recommends: stubs and channels reused, every caller sharing one
// grpc.ClientConn (one HTTP/2 connection), or, for high load, a small pool
// of them spread round-robin over the callers. grpc-go's server sets no
// limit on concurrent streams, so 64 callers never queue on one channel;
// BenchmarkGRPCPool64 measures the pool sizes side by side, and the ratio
// runs one connection and a pool of two and takes the faster.
//
// The message is typepb.EnumValue, a well-known protobuf type that holds
// exactly what benchArgs sets: a string (Name = S, "AppendEntries") and an
// integer (Number = N, 7). The server answers Number+1 and the same Name,
// as Echo.Echo does, so both transports encode and decode the same fields
// (protoc is not available, hence a hand-written grpc.ServiceDesc around a
// generated type, with grpc's own protobuf codec).
//
// Authentication: our transport runs the HMAC handshake on every
// connection. grpc's place for a per-connection handshake is its
// TransportCredentials; hmacCreds puts the same handshake there, so both
// contenders authenticate alike and neither pays anything per call (grpc's
// per-RPC credentials would add a token to every call, costing it more).
// BenchmarkGRPCPool64 compares it with insecure.NewCredentials().

// grpcMethod is the full method name of the echo.
const grpcMethod = "/faultline.Echo/Echo"

// grpcPoolSizes are the ClientConn pool sizes BenchmarkGRPCPool64
// compares. Which is best depends on the machine's load: at a load average
// of about 2, two connections were ahead of one in four rounds out of four
// (35-42k calls/s against 32-40k; four made 32-39k), at 15-19 one was
// ahead of two in four out of four (5.8-12.2k against 5.0-8.9k; four made
// 3.6-5.7k). So BenchmarkRatioParallel64 runs grpcRatioPools side by side
// and compares ours with the faster. Insecure credentials were no faster
// than the HMAC handshake over one connection (33-38k against 32-40k at a
// load of 2, 6.6-7.3k against 5.8-12.2k at 15-19): it costs nothing per
// call.
var (
	grpcPoolSizes  = []int{1, 2, 4}
	grpcRatioPools = []int{1, 2}
)

// grpcEchoServer is the service the ServiceDesc dispatches to.
type grpcEchoServer interface {
	echo(context.Context, *typepb.EnumValue) (*typepb.EnumValue, error)
}

type grpcEcho struct{}

func (grpcEcho) echo(_ context.Context, in *typepb.EnumValue) (*typepb.EnumValue, error) {
	return &typepb.EnumValue{Name: in.Name, Number: in.Number + 1}, nil
}

var grpcEchoDesc = grpc.ServiceDesc{
	ServiceName: "faultline.Echo",
	HandlerType: (*grpcEchoServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Echo",
		Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(typepb.EnumValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			return srv.(grpcEchoServer).echo(ctx, in)
		},
	}},
}

// hmacCreds runs this package's HMAC handshake as grpc transport
// credentials: the connection is authenticated once, before HTTP/2 starts,
// and carries frames unchanged afterwards, as ours does.
type hmacCreds struct{ client, server *authenticator }

var _ credentials.TransportCredentials = hmacCreds{}

func newHMACCreds(secret []byte) hmacCreds {
	cfg := Config{Secret: secret}
	cli, _ := newAuthenticator(cfg, false)
	srv, _ := newAuthenticator(cfg, true)
	return hmacCreds{client: cli, server: srv}
}

type hmacInfo struct{ credentials.CommonAuthInfo }

func (hmacInfo) AuthType() string { return "faultline-hmac" }

func (h hmacCreds) ClientHandshake(ctx context.Context, _ string, nc net.Conn) (net.Conn, credentials.AuthInfo, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(DefaultHandshakeTimeout)
	}
	conn, err := h.client.secure(ctx, nc, deadline)
	return conn, hmacInfo{}, err
}

func (h hmacCreds) ServerHandshake(nc net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, err := h.server.secure(context.Background(), nc, time.Now().Add(DefaultHandshakeTimeout))
	return conn, hmacInfo{}, err
}

func (hmacCreds) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "faultline-hmac"}
}

func (h hmacCreds) Clone() credentials.TransportCredentials { return h }

func (hmacCreds) OverrideServerName(string) error { return nil }

// newBenchGRPC serves the echo with creds on a free loopback port and
// returns a call of it spreading callers round-robin over conns
// ClientConns, each warmed up by one call.
func newBenchGRPC(b *testing.B, creds credentials.TransportCredentials, conns int) func() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer(grpc.Creds(creds))
	srv.RegisterService(&grpcEchoDesc, grpcEcho{})
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	b.Cleanup(func() {
		srv.Stop()
		<-served
	})
	pool := make([]*grpc.ClientConn, conns)
	for i := range pool {
		// In grpc-go every ClientConn dials its own connection (the
		// guide's advice to give pooled channels distinct arguments is
		// for grpc-core, which shares connections among channels).
		cc, err := grpc.NewClient("passthrough:///"+ln.Addr().String(),
			grpc.WithTransportCredentials(creds))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cc.Close() })
		pool[i] = cc
	}
	var next atomic.Uint32
	call := func(cc *grpc.ClientConn) error {
		in := typepb.EnumValue{Name: benchArgs.S, Number: int32(benchArgs.N)}
		var out typepb.EnumValue
		return cc.Invoke(context.Background(), grpcMethod, &in, &out)
	}
	for _, cc := range pool {
		if err := call(cc); err != nil {
			b.Fatal(err)
		}
	}
	if conns == 1 {
		return func() error { return call(pool[0]) }
	}
	return func() error {
		return call(pool[next.Add(1)%uint32(conns)])
	}
}

// BenchmarkGRPCPool64 runs grpc-go's Parallel64 workload over pools of
// grpcPoolSizes ClientConns, and over one ClientConn with insecure
// credentials, in alternating slices (as BenchmarkRatioParallel64 does), to
// choose the ratio's contender:
//
//	go test -run XXX -bench GRPCPool64 -benchtime 50000x -count 4 ./transport/tcp/
func BenchmarkGRPCPool64(b *testing.B) {
	var cs []contender
	for _, n := range grpcPoolSizes {
		cs = append(cs, contender{name: "hmac-conns" + strconv.Itoa(n), call: newBenchGRPC(b, newHMACCreds(testSecret), n)})
	}
	cs = append(cs, contender{name: "insecure-conns1", call: newBenchGRPC(b, insecure.NewCredentials(), 1)})
	alternate(b, cs)
}
