package maelstrom

import (
	"context"
	"fmt"

	"faultline/system/maelstrom"
)

// attachServices attaches every Maelstrom service (maelstrom.ServiceNames:
// lin-kv, seq-kv, lww-kv, lin-tso) to the cluster's network, the Maelstrom
// router r (seeded with seed), at its id: lin-kv is kv's service when kv is set (lin-kv on
// raftkv), else the router's own. Each service draws its random choices
// from its own seed, derived from the router's, so that one seed replays
// the whole network.
func attachServices(r *maelstrom.Router, seed int64, kv *linKV) error {
	for i, name := range maelstrom.ServiceNames() {
		var svc maelstrom.Endpoint
		var err error
		if name == maelstrom.LinKV && kv != nil {
			svc = kv.svc
		} else {
			svc, err = maelstrom.NewService(name, r, seed+int64(i)+1)
		}
		if err == nil {
			err = r.Attach(svc)
		}
		if err != nil {
			return fmt.Errorf("maelstrom: service %s: %w", name, err)
		}
	}
	return nil
}

// closeNetwork closes kv's service (its ops in flight end), the router,
// then kv's cluster.
func closeNetwork(ctx context.Context, r *maelstrom.Router, kv *linKV) error {
	if kv != nil {
		kv.svc.Close()
	}
	r.Close()
	if kv != nil {
		return kv.cluster.Stop(ctx)
	}
	return nil
}
