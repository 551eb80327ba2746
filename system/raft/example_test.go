package raft_test

import (
	"fmt"
	"strconv"
	"time"

	"faultline/system/raft"
	"faultline/transport"
	"faultline/transport/simnet"
)

// Example runs three peers on a simulated network and commits one command.
func Example() {
	net := simnet.MakeNetwork(1)
	defer net.Cleanup()
	const n = 3
	rafts := make([]*raft.Raft, n)
	applyChs := make([]chan raft.ApplyMsg, n)
	for i := range n {
		peers := make([]raft.Peer, n)
		for j := range n {
			name := fmt.Sprintf("%d->%d", i, j)
			end := net.MakeEnd(name)
			net.Connect(name, strconv.Itoa(j))
			net.Enable(name, true)
			peers[j] = end
		}
		applyChs[i] = make(chan raft.ApplyMsg, 16)
		rafts[i] = raft.Make(peers, i, raft.MakePersister(), applyChs[i])
		srv := transport.NewServer()
		if err := srv.Register(rafts[i]); err != nil {
			panic(err)
		}
		net.AddServer(strconv.Itoa(i), srv)
	}
	defer func() {
		for _, rf := range rafts {
			rf.Kill()
		}
	}()

	// Propose on whoever leads until one accepts.
	for {
		accepted := false
		for _, rf := range rafts {
			if _, _, ok := rf.Start("hello"); ok {
				accepted = true
				break
			}
		}
		if accepted {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := <-applyChs[0]
	fmt.Println(m.CommandIndex, m.Command)
}
