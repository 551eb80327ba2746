package kernelnet

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
)

// Enter runs fn on an OS thread that has joined the network namespace
// pinned at path (a Host's Netns), and returns fn's error. Sockets fn
// opens, and processes it forks (exec.Cmd.Start), belong to that
// namespace for good; goroutines fn starts do not run in it. The thread
// returns to the harness's namespace afterwards, or, if it cannot, is
// thrown away with the goroutine Enter ran fn on.
func Enter(path string, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("kernelnet: own namespace: %w", err)
			return
		}
		defer orig.Close()
		target, err := netns.GetFromPath(path)
		if err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("kernelnet: namespace %s: %w", path, err)
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("kernelnet: enter %s: %w", path, err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			// The thread stays locked: it ends with this goroutine.
			done <- errors.Join(ferr, fmt.Errorf("kernelnet: leave %s: %w", path, err))
			return
		}
		runtime.UnlockOSThread()
		done <- ferr
	}()
	return <-done
}
