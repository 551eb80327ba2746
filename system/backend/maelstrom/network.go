package maelstrom

import (
	"fmt"

	"faultline/system/maelstrom"
)

// newNetwork starts a cluster's network: Faultline's Maelstrom router
// configured by rc, with every Maelstrom service (maelstrom.ServiceNames:
// lin-kv, seq-kv, lww-kv, lin-tso) attached at its id. Each service draws
// its random choices from its own seed, derived from rc.Seed, so that one
// seed replays the whole network.
func newNetwork(rc maelstrom.RouterConfig) (*maelstrom.Router, error) {
	r := maelstrom.NewRouter(rc)
	for i, name := range maelstrom.ServiceNames() {
		svc, err := maelstrom.NewService(name, r, rc.Seed+int64(i)+1)
		if err == nil {
			err = r.Attach(svc)
		}
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("maelstrom: service %s: %w", name, err)
		}
	}
	return r, nil
}
