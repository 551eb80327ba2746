package exec

import (
	"errors"
	"fmt"
	osexec "os/exec"
	"path/filepath"
	"sort"
	"strings"

	"faultline/system/backend"
)

// Check implements backend.Checker: it reads the description the spec's
// options name and renders every template of every node with the
// variables it would have, then looks the programs up, so that a
// missing template variable, an unknown protocol or a program that is
// not on PATH is reported with its file and line before anything starts.
func (Backend) Check(spec backend.Spec) error {
	_, _, err := prepare(spec)
	return err
}

// prepare reads spec's options and description and checks them against
// the spec.
func prepare(spec backend.Spec) (*Description, options, error) {
	o, err := parseOptions(spec.Options)
	if err != nil {
		return nil, o, err
	}
	d, err := Load(o.cluster)
	if err != nil {
		return nil, o, err
	}
	if n := d.Nodes(); spec.Nodes != n {
		return nil, o, fmt.Errorf("exec: the cluster has %d nodes (%s), but the config asks for %d: set backend.nodes to %d",
			n, d.File, spec.Nodes, n)
	}
	if err := checkTemplates(d); err != nil {
		return nil, o, err
	}
	if d.Protocol.Name == ProtoMaelstrom {
		if _, err := maelstromArgv(d); err != nil {
			return nil, o, fmt.Errorf("exec: %w", err)
		}
	}
	return d, o, nil
}

// checkTemplates renders every node's templates on a made-up plan and
// looks up the programs they name.
func checkTemplates(d *Description) error {
	p := newPlan(d, fakeAddrs(addrsNeeded(d)))
	var errs []error
	seen := map[string]bool{}
	add := func(r *Role, key string, err error) {
		e := &posError{file: d.File, line: r.lines[key], path: "role " + r.Name + " " + key, msg: err.Error()}
		if !seen[e.Error()] {
			seen[e.Error()] = true
			errs = append(errs, e)
		}
	}
	for i := range d.Nodes() {
		r, _ := d.roleOf(i)
		v := p.vars(i, "/cluster", filepath.Join("/cluster", nodeName(i)), 1)
		if argv, err := v.renderAll("command", r.Command); err != nil {
			add(r, "command", err)
		} else if err := lookPath(argv); err != nil {
			add(r, "command", err)
		}
		if argv, err := v.renderAll("ready.command", r.Ready.Command); err != nil {
			add(r, "ready.command", err)
		} else if err := lookPath(argv); err != nil {
			add(r, "ready.command", err)
		}
		if _, err := v.renderAll("env", r.Env); err != nil {
			add(r, "env", err)
		}
		names := make([]string, 0, len(r.Files))
		for name := range r.Files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if name != filepath.Base(name) || strings.HasPrefix(name, ".") {
				add(r, "files", fmt.Errorf("file name %q: want a plain name in the node's data directory", name))
			} else if _, err := v.render("files."+name, r.Files[name]); err != nil {
				add(r, "files", err)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("exec: %w", errors.Join(errs...))
}

// lookPath checks that argv's program (if any) can be run.
func lookPath(argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	if _, err := osexec.LookPath(argv[0]); err != nil {
		return fmt.Errorf("program %q: %w", argv[0], err)
	}
	return nil
}
