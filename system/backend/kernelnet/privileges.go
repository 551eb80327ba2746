package kernelnet

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrPrivileges is wrapped by the error of CheckPrivileges.
var ErrPrivileges = errors.New("network namespaces need root (CAP_NET_ADMIN and CAP_SYS_ADMIN)")

// Capability bits (linux/capability.h).
const (
	capNetAdmin = 12
	capSysAdmin = 21
)

// CheckPrivileges returns nil if this process may make namespaces, links,
// nftables rules and qdiscs: it has CAP_NET_ADMIN (links, rules, qdiscs)
// and CAP_SYS_ADMIN (namespaces and their bind mounts) in its effective
// set. Otherwise its error wraps ErrPrivileges and says what to do.
func CheckPrivileges() error {
	eff, err := effectiveCaps()
	if err != nil {
		return fmt.Errorf("kernelnet: %w: cannot read this process's capabilities: %w", ErrPrivileges, err)
	}
	return checkCaps(eff)
}

// checkCaps is CheckPrivileges for the effective capability set eff.
func checkCaps(eff uint64) error {
	var missing []string
	if eff&(1<<capNetAdmin) == 0 {
		missing = append(missing, "CAP_NET_ADMIN")
	}
	if eff&(1<<capSysAdmin) == 0 {
		missing = append(missing, "CAP_SYS_ADMIN")
	}
	if missing != nil {
		return fmt.Errorf("kernelnet: %w: this process lacks %s; run as root, or drop the option network: netns (nodes on loopback, link faults in Faultline's transport)", ErrPrivileges, strings.Join(missing, " and "))
	}
	return nil
}

// effectiveCaps reads CapEff from /proc/self/status.
func effectiveCaps() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	if err := s.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no CapEff line in /proc/self/status")
}
