package kernelnet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Sweep removes every object under Prefix (nftables tables, links,
// pinned namespaces) whose Net is dead: nobody holds its lease, as after
// a crash of the harness that made it; node processes still running in
// its namespaces are killed first. It returns the ids it removed.
// Live Nets, of this process or another, are left alone.
func Sweep() ([]string, error) {
	if err := CheckPrivileges(); err != nil {
		return nil, err
	}
	ids, err := leftovers()
	if err != nil {
		return nil, err
	}
	var gone []string
	var errs []error
	for _, id := range ids {
		removed, err := sweepID(id)
		if err != nil {
			errs = append(errs, err)
		}
		if removed {
			gone = append(gone, id)
		}
	}
	return gone, errors.Join(errs...)
}

// sweepID removes what is named under id if its Net is dead, holding its
// lease meanwhile so that no other sweeper or new Net touches it.
func sweepID(id string) (removed bool, err error) {
	l, ok, err := tryLease(id)
	if err != nil || !ok {
		return false, err // alive, or being swept by another
	}
	defer l.release()
	if err := removeID(id); err != nil {
		return false, fmt.Errorf("kernelnet: sweep %s: %w", id, err)
	}
	return true, nil
}

// leftovers lists the ids of every object under Prefix.
func leftovers() ([]string, error) {
	var ids []string
	add := func(name string) {
		if strings.HasPrefix(name, Prefix) && len(name) >= idLen {
			ids = append(ids, name[:idLen])
		}
	}
	tables, links, spaces, err := objects()
	if err != nil {
		return nil, err
	}
	for _, names := range [][]string{tables, links, spaces} {
		for _, x := range names {
			add(x)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// objects lists the names of this namespace's netdev nftables tables,
// links and pinned namespaces.
func objects() (tables, links, spaces []string, err error) {
	c, err := nftables.New()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kernelnet: nftables: %w", err)
	}
	defer c.CloseLasting()
	ts, err := c.ListTablesOfFamily(nftables.TableFamilyNetdev)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kernelnet: list nftables tables: %w", err)
	}
	for _, t := range ts {
		tables = append(tables, t.Name)
	}
	ls, err := linkList()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kernelnet: list links: %w", err)
	}
	for _, l := range ls {
		links = append(links, l.Attrs().Name)
	}
	es, err := os.ReadDir(NetnsDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil, fmt.Errorf("kernelnet: list %s: %w", NetnsDir, err)
	}
	for _, e := range es {
		spaces = append(spaces, e.Name())
	}
	return tables, links, spaces, nil
}

// Leftovers lists the objects (tables, links, namespaces) named under id,
// for tests and diagnostics.
func Leftovers(id string) ([]string, error) {
	tables, links, spaces, err := objects()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range []struct {
		kind  string
		names []string
	}{{"nftables table", tables}, {"link", links}, {"namespace", spaces}} {
		for _, x := range g.names {
			if strings.HasPrefix(x, id) {
				out = append(out, g.kind+" "+x)
			}
		}
	}
	return out, nil
}

// removeID removes every object named under id: its nftables table (and
// with it its rules), its links (the bridge, and the veth pairs, whose
// qdiscs go with them) and its pinned namespaces.
func removeID(id string) error {
	var errs []error
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	defer c.CloseLasting()
	ts, err := c.ListTablesOfFamily(nftables.TableFamilyNetdev)
	if err != nil {
		errs = append(errs, fmt.Errorf("list nftables tables: %w", err))
	}
	for _, t := range ts {
		if t.Name == id {
			c.DelTable(t)
			if err := c.Flush(); err != nil {
				errs = append(errs, fmt.Errorf("delete table %s: %w", id, err))
			}
		}
	}
	ls, err := linkList()
	if err != nil {
		errs = append(errs, fmt.Errorf("list links: %w", err))
	}
	for _, l := range ls {
		if strings.HasPrefix(l.Attrs().Name, id) {
			// A veth goes with its peer's namespace: it may be gone already.
			if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("delete link %s: %w", l.Attrs().Name, err))
			}
		}
	}
	es, err := os.ReadDir(NetnsDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("list %s: %w", NetnsDir, err))
	}
	for _, e := range es {
		if strings.HasPrefix(e.Name(), id) {
			if _, err := killProcsIn(filepath.Join(NetnsDir, e.Name())); err != nil {
				errs = append(errs, err)
			}
			if err := netns.DeleteNamed(e.Name()); err != nil {
				// A file left without its mount (a crash between the two).
				if rerr := os.Remove(filepath.Join(NetnsDir, e.Name())); rerr != nil {
					errs = append(errs, fmt.Errorf("delete namespace %s: %w", e.Name(), err))
				}
			}
		}
	}
	return errors.Join(errs...)
}
