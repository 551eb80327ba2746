package faultfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// fsType is the file system type every mount shows ("fuse.faultfs" in
// /proc/self/mountinfo).
const fsType = "faultfs"

// sourcePrefix starts the source field of every mount; the owner process
// follows it, as "faultfs:<pid>:<start time>", so a mount whose owner is
// gone is known to be stale.
const sourcePrefix = "faultfs:"

// ownerSource names the current process as a mount's owner.
func ownerSource() (string, error) {
	start, err := startTime(os.Getpid())
	if err != nil {
		return "", fmt.Errorf("faultfs: %w", err)
	}
	return fmt.Sprintf("%s%d:%d", sourcePrefix, os.Getpid(), start), nil
}

// startTime returns when process pid started, in clock ticks since boot
// (field 22 of /proc/<pid>/stat), which tells a process from a later one
// that reused its pid. A process that has exited but not been reaped (a
// zombie, whose descriptors are closed) counts as gone.
func startTime(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing parenthesis, which is field 2.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X") {
		return 0, fmt.Errorf("process %d has exited", pid)
	}
	const startField = 22 - 3 // fields[0] is field 3, the state
	if len(fields) <= startField {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields)+2)
	}
	return strconv.ParseUint(fields[startField], 10, 64)
}

// ownerAlive reports whether the process a mount source names still runs.
func ownerAlive(source string) bool {
	pidStr, startStr, ok := strings.Cut(strings.TrimPrefix(source, sourcePrefix), ":")
	pid, err1 := strconv.Atoi(pidStr)
	start, err2 := strconv.ParseUint(startStr, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return false
	}
	now, err := startTime(pid)
	return err == nil && now == start
}

// mountEntry is one of our mounts in /proc/self/mountinfo.
type mountEntry struct {
	point, source string
}

// ourMounts lists the mounts of type fuse.faultfs.
func ourMounts() ([]mountEntry, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("faultfs: %w", err)
	}
	var out []mountEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		// "id parent major:minor root point options [optional...] - type source super"
		before, after, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		left, right := strings.Fields(before), strings.Fields(after)
		if len(left) < 5 || len(right) < 2 || right[0] != "fuse."+fsType {
			continue
		}
		out = append(out, mountEntry{point: unescapeMountinfo(left[4]), source: unescapeMountinfo(right[1])})
	}
	return out, sc.Err()
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) that
// mountinfo uses in paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// CleanStale unmounts every faultfs mount at or under dir whose owner
// process is gone (a crashed or killed harness cannot unmount its own) and
// returns their mountpoints. Mounts of live processes, this one included,
// are left alone. Mount calls it for its mountpoint; a harness calls it at
// start for the directory its runs live in ("/" for all).
func CleanStale(dir string) ([]string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("faultfs: %w", err)
	}
	mounts, err := ourMounts()
	if err != nil {
		return nil, err
	}
	var cleaned []string
	var errs []error
	for _, m := range mounts {
		if !within(m.point, dir) || !strings.HasPrefix(m.source, sourcePrefix) || ownerAlive(m.source) {
			continue
		}
		// The owner is gone, so the connection is dead: a lazy unmount
		// cannot lose anything.
		if err := unix.Unmount(m.point, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("faultfs: unmount stale %s (%s): %w", m.point, m.source, err))
			continue
		}
		cleaned = append(cleaned, m.point)
	}
	return cleaned, errors.Join(errs...)
}
