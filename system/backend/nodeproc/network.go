package nodeproc

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"

	"faultline/system/backend"
	"faultline/system/backend/kernelnet"
	"faultline/transport"
)

// NetworkOption is the backend option saying where a cluster's nodes
// listen: NetworkLoopback (the default) or NetworkNetns.
const NetworkOption = "network"

// Values of NetworkOption.
const (
	// NetworkLoopback: every node listens on a loopback port of this
	// host; link faults are applied in user space (the nodes' transports,
	// or proxies).
	NetworkLoopback = "loopback"
	// NetworkNetns: every node is a host of its own, in a network
	// namespace with its own address on a bridge (kernelnet), and link
	// faults are applied in the kernel (process mode, root only).
	NetworkNetns = "netns"
)

// NetnsPort is the first port a node listens on in its own namespace
// (node addresses are NetnsPort, NetnsPort+1, ... on its own IP).
const NetnsPort = 7000

// Network is where a cluster's nodes listen, as its spec's option
// "network" says. Open it before the nodes start (OpenNetwork), give its
// Netns to SetConfig.Netns, and Close it once they stopped
// (SetConfig.Release).
type Network struct {
	names  []string
	kernel *kernelnet.Net    // nil on loopback
	faults *kernelnet.Faults // nil on loopback
}

// NetworkKind returns spec's option "network" checked: NetworkLoopback
// when unset. NetworkNetns needs process mode.
func NetworkKind(backendName string, spec backend.Spec) (string, error) {
	switch v := spec.Options[NetworkOption]; v {
	case "", NetworkLoopback:
		return NetworkLoopback, nil
	case NetworkNetns:
		if spec.Mode != backend.ModeProcess {
			return "", fmt.Errorf("%s: option network: netns needs mode process (nodes of one process cannot be hosts of their own)", backendName)
		}
		return NetworkNetns, nil
	default:
		return "", fmt.Errorf("%s: option network = %q, want %q or %q", backendName, v, NetworkLoopback, NetworkNetns)
	}
}

// OpenNetwork makes the network of spec's option "network" for nodes
// called names: nothing on loopback; with netns a kernelnet.Net (after
// sweeping what crashed runs left) and its fault table. It refuses netns
// without root, before anything starts.
func OpenNetwork(backendName string, spec backend.Spec, names []string) (*Network, error) {
	kind, err := NetworkKind(backendName, spec)
	if err != nil {
		return nil, err
	}
	w := &Network{names: names}
	if kind == NetworkLoopback {
		return w, nil
	}
	if w.kernel, err = kernelnet.New(names); err != nil {
		return nil, fmt.Errorf("%s: %w", backendName, err)
	}
	if w.faults, err = kernelnet.NewFaults(w.kernel); err != nil {
		return nil, fmt.Errorf("%s: %w", backendName, errors.Join(err, w.kernel.Close()))
	}
	return w, nil
}

// Addrs returns perNode addresses for every node, node i's p-th at
// perNode*i+p: free loopback ports, or ports NetnsPort+p on node i's
// own address.
func (w *Network) Addrs(perNode int) ([]string, error) {
	if w.kernel == nil {
		return FreePorts(perNode * len(w.names))
	}
	out := make([]string, 0, perNode*len(w.names))
	for _, h := range w.kernel.Hosts {
		for p := range perNode {
			out = append(out, net.JoinHostPort(h.IP.String(), strconv.Itoa(NetnsPort+p)))
		}
	}
	return out, nil
}

// Netns returns the namespace node i starts in, "" on loopback.
func (w *Network) Netns(i int) string {
	if w.kernel == nil {
		return ""
	}
	return w.kernel.Hosts[i].Netns
}

// Kernel reports whether the nodes are hosts of their own.
func (w *Network) Kernel() bool { return w.kernel != nil }

// Faults returns the kernel's link fault table between the nodes, nil on
// loopback.
func (w *Network) Faults() *kernelnet.Faults { return w.faults }

// Close removes what OpenNetwork made (nothing on loopback). Stop the
// nodes first.
func (w *Network) Close() error {
	if w.kernel == nil {
		return nil
	}
	return w.kernel.Close()
}

// NetworkSupport returns the link fault support of spec's network when it
// is netns (kernelnet.Supports), else user, for a backend's LinkSupport.
func NetworkSupport(spec backend.Spec, user transport.FaultSupport) transport.FaultSupport {
	if spec.Options[NetworkOption] == NetworkNetns {
		return kernelSupport{}
	}
	return user
}

// kernelSupport is kernelnet.Supports as a transport.FaultSupport.
type kernelSupport struct{}

func (kernelSupport) SupportsLink(f transport.LinkFaults) error { return kernelnet.Supports(f) }

// startIn starts cmd in the network namespace pinned at netns, or in this
// process's own when netns is empty: the fork happens on a thread that
// joined the namespace (kernelnet.Enter), so the child is born in it.
func startIn(cmd *exec.Cmd, netns string) error {
	if netns == "" {
		return cmd.Start()
	}
	return kernelnet.Enter(netns, cmd.Start)
}
