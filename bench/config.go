package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/runner"
)

// loaded is a checked config, ready to run: one run with its nemesis, or
// a comparison's planned runs.
type loaded struct {
	cfg *workloads.Config
	// nem is the single run's fault injector; nil without faults.
	nem runner.Nemesis
	// plan lists a comparison's runs in order; nil for a single run.
	plan []plannedRun
}

// loadConfig builds the run's config: the file (or the default), flag
// overrides, a seed, and the checks that need the registry; a comparison
// is expanded into its runs, each checked. Errors carry the file and line
// where the config came from a file.
func (reg *registries) loadConfig(f *runFlags) (*loaded, error) {
	var cfg *workloads.Config
	var src *workloads.Source
	if f.config != "" {
		c, s, err := workloads.Load(f.config)
		if err != nil {
			return nil, err
		}
		cfg, src = c, s
	} else {
		c := workloads.Default()
		if _, ok := reg.backends[c.Backend.Name]; !ok {
			c.Backend.Name, c.Backend.Nodes = reg.defaultBackend, reg.backends[reg.defaultBackend].nodes
		}
		cfg = &c
	}
	var errs workloads.Errors
	flagErr := func(name, format string, args ...any) {
		errs = append(errs, &workloads.FieldError{Path: "-" + name, Msg: fmt.Sprintf(format, args...)})
	}
	if f.set["duration"] {
		d, err := time.ParseDuration(f.duration)
		switch {
		case err != nil:
			flagErr("duration", "%q is not a duration (write e.g. 30s)", f.duration)
		case len(cfg.Phases) > 0:
			flagErr("duration", "the config has phases; bound each phase in the config instead")
		default:
			cfg.Workload.Duration = workloads.Duration(d)
			cfg.Workload.Ops = 0
		}
	}
	if f.set["clients"] {
		cfg.Workload.Clients = f.clients
	}
	if f.set["seed"] {
		cfg.Seed = f.seed
	}
	if f.set["backend"] {
		cfg.Backend.Name = f.backend
		if e, ok := reg.backends[f.backend]; ok && !f.set["nodes"] && e.nodes > 0 {
			cfg.Backend.Nodes = e.nodes
		}
	}
	if f.set["nodes"] {
		cfg.Backend.Nodes = f.nodes
	}
	if f.set["mode"] {
		cfg.Backend.Mode = f.mode
	}
	if f.set["out"] {
		cfg.Out = f.out
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := cfg.Validate(); err != nil {
		return nil, fromFlags(src.Locate(err), f)
	}
	if cfg.Seed == 0 {
		// Chosen before the fault schedule is built, which draws from it.
		cfg.Seed = time.Now().UnixNano()%1_000_000_000 + 1
	}
	if cfg.Compare != nil {
		plan, err := reg.loadComparison(f, cfg, src)
		if err != nil {
			return nil, err
		}
		return &loaded{cfg: cfg, plan: plan}, nil
	}
	if f.set["rounds"] {
		return nil, errors.New("-rounds applies to a config with a compare section")
	}
	nem, err := reg.checkRun(cfg, src, f.config == "")
	if err != nil {
		return nil, fromFlags(err, f)
	}
	return &loaded{cfg: cfg, nem: nem}, nil
}

// fromFlags renames the errors of fields a flag set, so that they point
// at the flag instead of a line that no longer holds the value.
func fromFlags(err error, f *runFlags) error {
	byPath := map[string]string{
		"workload.duration": "duration", "workload.clients": "clients",
		"backend.name": "backend", "backend.nodes": "nodes", "backend.mode": "mode", "out": "out",
	}
	for _, fe := range workloads.Fields(err) {
		if name, ok := byPath[fe.Path]; ok && f.set[name] {
			fe.File, fe.Line, fe.Path = "", 0, "-"+name
		}
	}
	return err
}

// checkRun makes the checks of one run's validated config that need the
// registries, and builds its nemesis (nil without faults). bare says the
// config is the built-in default, which gets the default fault schedule on
// the default backend. A fault schedule written as "faults: default" is the
// built-in one too.
func (reg *registries) checkRun(cfg *workloads.Config, src *workloads.Source, bare bool) (runner.Nemesis, error) {
	var e workloads.Errors
	b, known := reg.backends[cfg.Backend.Name]
	switch {
	case !known:
		e = append(e, &workloads.FieldError{Path: "backend.name",
			Msg: fmt.Sprintf("unknown backend %q, want one of %s", cfg.Backend.Name, strings.Join(reg.backendNames(), ", "))})
	case workloads.IsMaelstrom(cfg.Workload.Kind) && !b.invoker:
		e = append(e, &workloads.FieldError{Path: "workload.kind",
			Msg: fmt.Sprintf("Maelstrom workload %q needs a backend whose clients take Maelstrom requests (backend.Invoker), such as %q; backend %q's clients are key/value ones",
				cfg.Workload.Kind, "maelstrom", cfg.Backend.Name)})
	case b.batch != (cfg.Workload.Kind == workloads.KindMapReduce):
		e = append(e, &workloads.FieldError{Path: "workload.kind",
			Msg: fmt.Sprintf("kind %q does not go with backend %q (a %s job runs on a batch backend, and only there)",
				cfg.Workload.Kind, cfg.Backend.Name, workloads.KindMapReduce)})
	}
	if known && b.maxNodes > 0 && cfg.Backend.Nodes > b.maxNodes {
		e = append(e, &workloads.FieldError{Path: "backend.nodes",
			Msg: fmt.Sprintf("%d nodes, but backend %q has at most %d", cfg.Backend.Nodes, cfg.Backend.Name, b.maxNodes)})
	}
	if workloads.IsMaelstrom(cfg.Workload.Kind) {
		if _, err := runner.MaelstromWorkload(cfg); err != nil {
			e = append(e, &workloads.FieldError{Path: "workload.maelstrom", Msg: err.Error()})
		}
	}
	if known {
		if fe := checkBackend(cfg, src, b); fe != nil {
			e = append(e, fe)
		}
		if err := runner.TxnRefusal(cfg, b.backend); err != nil {
			e = append(e, workloads.Fields(err)...)
		}
	}
	if known && cfg.BareOn() {
		if fe := bareRefusal(cfg, b.backend); fe != nil {
			e = append(e, fe)
		}
	}
	if len(e) > 0 {
		return nil, src.Locate(e)
	}
	wantDefault := bare && cfg.Backend.Name == reg.defaultBackend && cfg.Faults.IsZero()
	if cfg.Faults.Kind == yaml.ScalarNode && cfg.Faults.Value == "default" {
		wantDefault = true
	}
	if wantDefault {
		// A bare run shows the system surviving faults.
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(reg.defaultFaults), &doc); err != nil || len(doc.Content) != 1 {
			return nil, fmt.Errorf("built-in default fault schedule: %v", err)
		}
		cfg.Faults = *doc.Content[0]
	}
	if cfg.Faults.IsZero() {
		return nil, nil
	}
	// The fault schedule is checked now, before anything starts; its
	// FieldErrors (paths like "faults[1].every") get their lines here.
	n, err := reg.nemesis(cfg, b.backend)
	if err != nil {
		return nil, src.Locate(err)
	}
	if err := judgeFaults(cfg, n); err != nil {
		return nil, src.Locate(err)
	}
	return n, nil
}

// bareRefusal refuses a bare section for a backend that declares, for
// the config's cluster, no bare loop (backend.PowerBare); a backend that
// does not declare is refused when its cluster has started.
func bareRefusal(cfg *workloads.Config, b backend.Backend) *workloads.FieldError {
	d, ok := b.(backend.Declarer)
	if !ok || slices.Contains(d.Powers(runner.BackendSpec(cfg)), backend.PowerBare) {
		return nil
	}
	return &workloads.FieldError{Path: "bare.rounds", Msg: fmt.Sprintf(
		"backend %q has no bare loop (the %q power) to measure the harness against; set bare.rounds: 0 for it", cfg.Backend.Name, backend.PowerBare)}
}

// checkBackend resolves the backend's file options against the config's
// directory and asks a backend.Checker about the spec, before anything
// starts; its error is reported against the backend's options.
func checkBackend(cfg *workloads.Config, src *workloads.Source, b entry) *workloads.FieldError {
	if src != nil && src.File != "" {
		for _, k := range b.fileOptions {
			if v, ok := cfg.Backend.Options[k]; ok && v != "" && !filepath.IsAbs(v) {
				cfg.Backend.Options[k] = filepath.Join(filepath.Dir(src.File), v)
			}
		}
	}
	c, ok := b.backend.(backend.Checker)
	if !ok {
		return nil
	}
	if err := c.Check(runner.BackendSpec(cfg)); err != nil {
		return &workloads.FieldError{Path: "backend.options", Msg: err.Error()}
	}
	return nil
}
