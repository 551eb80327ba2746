package mr

import (
	"errors"
	"fmt"
	"plugin"
	"slices"
	"strings"
)

// App is a MapReduce application: a map and a reduce function, and
// optionally a combiner.
type App struct {
	// Name is the built-in name or the plugin's path.
	Name   string
	Map    MapFunc
	Reduce ReduceFunc
	// Combine, if set, lets a map task replace the values it emitted for
	// one key by Combine's one result (Hadoop's combiner), before they
	// are written: the application declares that Reduce gives the same
	// output for any mix of raw and combined values (as a sum does), so
	// the job's output is the same with or without it. The sequential
	// reference never combines.
	Combine ReduceFunc
}

// ErrUnknownApp says no built-in application has the name asked for.
var ErrUnknownApp = errors.New("mr: unknown app")

// builtinApps lists the applications known by name. The probes (mtiming,
// rtiming, jobcount, earlyexit) and crash are the course's test apps; crash
// ends its process at random, so it only makes sense in worker processes.
var builtinApps = map[string]App{
	"wc":        {Name: "wc", Map: wcMap, Reduce: wcReduce, Combine: wcReduce},
	"indexer":   {Name: "indexer", Map: indexerMap, Reduce: indexerReduce},
	"mtiming":   {Name: "mtiming", Map: mtimingMap, Reduce: mtimingReduce},
	"rtiming":   {Name: "rtiming", Map: rtimingMap, Reduce: rtimingReduce},
	"jobcount":  {Name: "jobcount", Map: jobcountMap, Reduce: jobcountReduce},
	"earlyexit": {Name: "earlyexit", Map: earlyexitMap, Reduce: earlyexitReduce},
	"crash":     {Name: "crash", Map: crashMap, Reduce: crashReduce},
	"nocrash":   {Name: "nocrash", Map: nocrashMap, Reduce: nocrashReduce},
}

// AppNames returns the names of the built-in applications, sorted.
func AppNames() []string {
	names := make([]string, 0, len(builtinApps))
	for n := range builtinApps {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// LookupApp returns the built-in application called name.
func LookupApp(name string) (App, error) {
	app, ok := builtinApps[name]
	if !ok {
		return App{}, fmt.Errorf("%w %q (built-in: %s)", ErrUnknownApp, name, strings.Join(AppNames(), ", "))
	}
	return app, nil
}

// OpenApp returns the application named by spec: a Go plugin if spec ends in
// ".so" (see LoadPlugin), a built-in application otherwise.
func OpenApp(spec string) (App, error) {
	if strings.HasSuffix(spec, ".so") {
		return LoadPlugin(spec)
	}
	return LookupApp(spec)
}

// LoadPlugin opens the Go plugin at path, which must export
//
//	func Map(filename string, contents string) []mr.KeyValue
//	func Reduce(key string, values []string) string
//
// with mr this package, as course apps do with their own mr package. The
// plugin must be built (go build -buildmode=plugin) from the same module
// version and with the same flags (-race included) as the loading program;
// plugins need cgo.
func LoadPlugin(path string) (App, error) {
	p, err := plugin.Open(path)
	if err != nil {
		return App{}, fmt.Errorf("mr: load plugin: %w", err)
	}
	mapSym, err := p.Lookup("Map")
	if err != nil {
		return App{}, fmt.Errorf("mr: load plugin %s: %w", path, err)
	}
	reduceSym, err := p.Lookup("Reduce")
	if err != nil {
		return App{}, fmt.Errorf("mr: load plugin %s: %w", path, err)
	}
	mapf, ok := mapSym.(func(string, string) []KeyValue)
	if !ok {
		return App{}, fmt.Errorf("mr: load plugin %s: Map is %T, want func(string, string) []mr.KeyValue", path, mapSym)
	}
	reducef, ok := reduceSym.(func(string, []string) string)
	if !ok {
		return App{}, fmt.Errorf("mr: load plugin %s: Reduce is %T, want func(string, []string) string", path, reduceSym)
	}
	return App{Name: path, Map: mapf, Reduce: reducef}, nil
}
