package tcp_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"faultline/transport"
	"faultline/transport/tcp"
)

// KV is an example service.
type KV struct{ data map[string]string }

// GetArgs are the arguments of KV.Get.
type GetArgs struct{ Key string }

// GetReply is the reply of KV.Get.
type GetReply struct {
	Value string
	Found bool
}

// Get looks a key up.
func (kv *KV) Get(args *GetArgs, reply *GetReply) {
	reply.Value, reply.Found = kv.data[args.Key]
}

func Example() {
	srv := transport.NewServer()
	if err := srv.Register(&KV{data: map[string]string{"x": "1"}}); err != nil {
		log.Fatal(err)
	}
	l, err := tcp.Listen("127.0.0.1:0", srv, tcp.Config{Node: "server"})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	c := tcp.Dial(l.Addr(), tcp.Config{Node: "client"})
	defer c.Close()
	var reply GetReply
	if c.Call("KV.Get", &GetArgs{Key: "x"}, &reply) {
		fmt.Println(reply.Value, reply.Found)
	}
	err = c.CallContext(context.Background(), "KV.Put", &GetArgs{Key: "x"}, &reply)
	fmt.Println(transport.IsRemote(err))
	// Output:
	// 1 true
	// true
}

func ExampleFaults() {
	srv := transport.NewServer()
	if err := srv.Register(&KV{}); err != nil {
		log.Fatal(err)
	}
	l, err := tcp.Listen("127.0.0.1:0", srv, tcp.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	// Clients sharing one seeded fault table; links are named by
	// Config.Node and the name given to DialNamed.
	faults := tcp.NewFaults(1)
	c := tcp.DialNamed("server", l.Addr(), tcp.Config{Node: "client", Faults: faults})
	defer c.Close()

	if err := faults.SetLink("client", "server", transport.LinkFaults{Blocked: true}); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err = c.CallContext(ctx, "KV.Get", &GetArgs{}, &GetReply{})
	fmt.Println(errors.Is(err, transport.ErrUnreachable))

	faults.HealAll()
	fmt.Println(c.CallContext(context.Background(), "KV.Get", &GetArgs{}, &GetReply{}))
	// Output:
	// true
	// <nil>
}
