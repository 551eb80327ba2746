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
// namespace for good; goroutines fn starts do not run in it.
func Enter(path string, fn func() error) error {
	target, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("kernelnet: namespace %s: %w", path, err)
	}
	defer target.Close()
	return onThread(func() error {
		if err := netns.Set(target); err != nil {
			return fmt.Errorf("kernelnet: enter %s: %w", path, err)
		}
		return fn()
	})
}

// onThread runs fn on an OS thread of its own, which fn may move to
// another network namespace (setns, or unshare into a new one); the
// thread returns to its namespace afterwards or, if it cannot, is thrown
// away with the goroutine fn ran on, so that no goroutine of the harness
// ever runs in a namespace it did not ask for.
func onThread(fn func() error) error {
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
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			// The thread stays locked: it ends with this goroutine.
			done <- errors.Join(ferr, fmt.Errorf("kernelnet: back to own namespace: %w", err))
			return
		}
		runtime.UnlockOSThread()
		done <- ferr
	}()
	return <-done
}
