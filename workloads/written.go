package workloads

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Unset and zero are different: Defaults fills the fields a config left
// out, and a value the file wrote is used or rejected (by Validate, with
// its file and line), never replaced by a default. Defaults sees only the
// decoded struct, where a written zero looks unset, so fill runs it and
// then puts back every value the file wrote.

// fill checks the values the config's source wrote that decoding lets
// through (non-integers where integers belong), then fills c's defaults
// and restores what the source wrote. c must have been decoded from the
// source.
func (s *Source) fill(c *Config) error {
	doc := s.root.Content[0]
	var e Errors
	integers(&e, s.File, doc, reflect.TypeOf(Config{}), "")
	if len(e) > 0 {
		return e
	}
	var written Config
	if err := doc.Decode(&written); err != nil {
		return s.yamlErr(err)
	}
	c.Defaults()
	keepWritten(reflect.ValueOf(c).Elem(), reflect.ValueOf(&written).Elem(), doc)
	return nil
}

var nodeType = reflect.TypeOf(yaml.Node{})

// field returns the struct field of t whose YAML key is key.
func field(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == key && tag != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// integers reports, as located FieldErrors, every number written where
// the config wants an integer that is not a whole number: yaml.v3 would
// quietly truncate "clients: 1.5" to 1.
func integers(e *Errors, file string, n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nodeType:
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if f, ok := field(t, n.Content[i].Value); ok {
				integers(e, file, n.Content[i+1], f.Type, join(path, n.Content[i].Value))
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			integers(e, file, c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case isInt(t.Kind()) && n.Kind == yaml.ScalarNode && n.Tag == "!!float":
		if v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err != nil || v != math.Trunc(v) {
			*e = append(*e, &FieldError{File: file, Line: n.Line, Path: path, Msg: fmt.Sprintf("%s is not an integer", n.Value)})
		}
	}
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// keepWritten sets every value of dst that mapping n wrote back to its
// value in src (the same config, decoded and not defaulted), so that what
// Defaults put in place of a written value is undone. Mappings merge key
// by key, except wholeKeys (an op mix, a hotspot), which are one value:
// Defaults fills them whole. A null is unset.
func keepWritten(dst, src reflect.Value, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, ok := field(dst.Type(), k.Value)
		if !ok || v.Tag == "!!null" {
			continue
		}
		keepValue(dst.FieldByIndex(f.Index), src.FieldByIndex(f.Index), v, wholeKeys[k.Value])
	}
}

func keepValue(d, s reflect.Value, v *yaml.Node, whole bool) {
	switch {
	case d.Type() == nodeType:
	case !whole && d.Kind() == reflect.Struct && v.Kind == yaml.MappingNode:
		keepWritten(d, s, v)
	case !whole && d.Kind() == reflect.Pointer && d.Type().Elem().Kind() == reflect.Struct && v.Kind == yaml.MappingNode:
		if !d.IsNil() && !s.IsNil() {
			keepWritten(d.Elem(), s.Elem(), v)
		}
	case d.Kind() == reflect.Slice && d.Type().Elem().Kind() == reflect.Struct && v.Kind == yaml.SequenceNode:
		for i := 0; i < min(d.Len(), s.Len(), len(v.Content)); i++ {
			keepValue(d.Index(i), s.Index(i), v.Content[i], false)
		}
	default:
		if !reflect.DeepEqual(d.Interface(), s.Interface()) {
			d.Set(s)
		}
	}
}
