package main

import "faultline/system/backend/etcd"

// init registers the etcd backend. It lives in its own file so that the
// etcd dependency is wired in one place; registry.go needs no edit. The
// backend handles its option peer-proxy (its peers' traffic through a
// transport/proxy Mesh the chaos controller faults) itself.
func init() {
	registry[etcd.Name] = entry{backend: etcd.Backend{}, runNode: etcd.RunNode, nodes: 3,
		desc: "real etcd v3.6 (embedded members, clientv3; Append is a compare-and-swap loop); option peer-proxy: true for network faults"}
}
