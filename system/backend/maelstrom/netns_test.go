package maelstrom

import (
	"errors"
	"testing"

	"faultline/system/backend"
)

// TestNetnsRefused: network: netns is refused, saying why (the nodes
// have no network between them), before anything starts.
func TestNetnsRefused(t *testing.T) {
	_, err := config(backend.Spec{Nodes: 3, Mode: backend.ModeProcess, Dir: t.TempDir(), Options: map[string]string{"network": "netns"}})
	if !errors.Is(err, errNetns) {
		t.Errorf("network: netns: %v", err)
	}
}
