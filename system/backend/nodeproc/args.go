package nodeproc

import (
	"flag"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// A node's configuration travels to its process as arguments: the harness
// renders a config struct with EncodeArgs and appends the result to
// Spec.Exec (`bench node BACKEND ARGS...`); the node's RunNode parses them
// back into the same struct type with DecodeArgs. Neither side declares
// flags by hand, so the two cannot drift apart.
//
// Every exported field of the struct is one flag, named by its `arg` tag
// or else by its lower-cased field name; a field tagged `arg:"-"` is not
// sent (a logger, say), and the fields of an embedded struct are flattened
// into the outer one. Supported field types: string, bool, the signed
// integers, the unsigned integers, time.Duration (rendered as "1.5s") and []string (one flag per
// element, so elements may hold any character). Any other type is a
// programming error and panics.

// EncodeArgs renders the config struct cfg (or a pointer to one) as
// arguments, one "--name=value" per field, in field order.
func EncodeArgs(cfg any) []string {
	var out []string
	eachArg(reflect.Indirect(reflect.ValueOf(cfg)), func(name string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Slice:
			for i := range v.Len() {
				out = append(out, "--"+name+"="+v.Index(i).String())
			}
		default:
			out = append(out, "--"+name+"="+argValue{v: v}.String())
		}
	})
	return out
}

// DecodeArgs parses arguments made by EncodeArgs into the config struct
// that cfg points to. Fields whose flag is absent keep their value, so cfg
// may carry defaults; a list flag that is present replaces the default.
// Unknown flags and positional arguments are errors.
func DecodeArgs(args []string, cfg any) error {
	p := reflect.ValueOf(cfg)
	if p.Kind() != reflect.Pointer || p.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("nodeproc: DecodeArgs into %T, want a pointer to a struct", cfg))
	}
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	eachArg(p.Elem(), func(name string, v reflect.Value) { fs.Var(&argValue{v: v}, name, "") })
	if err := ParseArgs(fs, args); err != nil {
		return fmt.Errorf("node arguments: %w", err)
	}
	return nil
}

// ParseArgs parses a node command's arguments into fs without printing
// anything (errors are returned) and refuses positional arguments.
func ParseArgs(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected %q", fs.Args())
	}
	return nil
}

var durationType = reflect.TypeFor[time.Duration]()

// eachArg calls f with the flag name and value of every field of the
// struct value s that travels as an argument.
func eachArg(s reflect.Value, f func(name string, v reflect.Value)) {
	if s.Kind() != reflect.Struct {
		panic(fmt.Sprintf("nodeproc: node config of type %v, want a struct", s.Type()))
	}
	for i := range s.NumField() {
		sf := s.Type().Field(i)
		tag := sf.Tag.Get("arg")
		if tag == "-" {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			eachArg(s.Field(i), f)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		switch sf.Type.Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		case reflect.Slice:
			if sf.Type.Elem().Kind() != reflect.String {
				panic(fmt.Sprintf("nodeproc: config field %s of type %v cannot be an argument", sf.Name, sf.Type))
			}
		default:
			panic(fmt.Sprintf("nodeproc: config field %s of type %v cannot be an argument", sf.Name, sf.Type))
		}
		if tag == "" {
			tag = strings.ToLower(sf.Name)
		}
		f(tag, s.Field(i))
	}
}

// argValue is a flag.Value over one config field.
type argValue struct {
	v   reflect.Value
	set bool // a list flag was seen: later ones append
}

// String renders the field's value (a list's elements comma-joined, for
// flag's messages only).
func (a argValue) String() string {
	if !a.v.IsValid() {
		return ""
	}
	switch {
	case a.v.Type() == durationType:
		return time.Duration(a.v.Int()).String()
	case a.v.Kind() == reflect.String:
		return a.v.String()
	case a.v.Kind() == reflect.Bool:
		return strconv.FormatBool(a.v.Bool())
	case a.v.Kind() == reflect.Slice:
		return strings.Join(a.v.Interface().([]string), ",")
	case a.v.CanUint():
		return strconv.FormatUint(a.v.Uint(), 10)
	}
	return strconv.FormatInt(a.v.Int(), 10)
}

// Set parses s into the field.
func (a *argValue) Set(s string) error {
	switch {
	case a.v.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		a.v.SetInt(int64(d))
	case a.v.Kind() == reflect.String:
		a.v.SetString(s)
	case a.v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		a.v.SetBool(b)
	case a.v.Kind() == reflect.Slice:
		if !a.set {
			a.v.Set(reflect.MakeSlice(a.v.Type(), 0, 1))
			a.set = true
		}
		a.v.Set(reflect.Append(a.v, reflect.ValueOf(s).Convert(a.v.Type().Elem())))
	case a.v.CanUint():
		n, err := strconv.ParseUint(s, 10, a.v.Type().Bits())
		if err != nil {
			return err
		}
		a.v.SetUint(n)
	default:
		n, err := strconv.ParseInt(s, 10, a.v.Type().Bits())
		if err != nil {
			return err
		}
		a.v.SetInt(n)
	}
	return nil
}

// IsBoolFlag lets a bool field be given as a bare --name.
func (a *argValue) IsBoolFlag() bool { return a.v.IsValid() && a.v.Kind() == reflect.Bool }
