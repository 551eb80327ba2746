package simnet_test

import (
	"fmt"

	"faultline/transport"
	"faultline/transport/simnet"
)

// KV is a toy service for the example.
type KV struct{ data map[string]string }

// GetArgs is KV.Get's argument.
type GetArgs struct{ Key string }

// GetReply is KV.Get's reply.
type GetReply struct{ Value string }

// Get looks a key up.
func (kv *KV) Get(args *GetArgs, reply *GetReply) { reply.Value = kv.data[args.Key] }

func Example() {
	net := simnet.MakeNetwork(42)
	defer net.Cleanup()

	srv := transport.NewServer()
	if err := srv.Register(&KV{data: map[string]string{"x": "1"}}); err != nil {
		panic(err)
	}
	net.AddServer("server0", srv)

	end := net.MakeEnd("client->server0")
	net.Connect("client->server0", "server0")
	net.SetOrigin("client->server0", "client")
	net.Enable("client->server0", true)

	var reply GetReply
	ok := end.Call("KV.Get", &GetArgs{Key: "x"}, &reply)
	fmt.Println(ok, reply.Value, net.GetCount("server0"))

	// A one-way partition: requests from client to server0 are lost.
	_ = net.SetLink("client", "server0", transport.LinkFaults{Blocked: true})
	fmt.Println(end.Call("KV.Get", &GetArgs{Key: "x"}, &reply))

	net.HealAll()
	net.Enable("client->server0", false) // disconnect the end
	fmt.Println(end.Call("KV.Get", &GetArgs{Key: "x"}, &reply))
	// Output:
	// true 1 1
	// false
	// false
}
