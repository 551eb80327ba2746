package transport

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"faultline/transport/wire"
)

// ErrUnknownService, ErrUnknownMethod and ErrBadArgs classify dispatch
// failures. They reach the caller as a *RemoteError carrying their text.
var (
	ErrUnknownService = errors.New("unknown service")
	ErrUnknownMethod  = errors.New("unknown method")
	ErrBadArgs        = errors.New("arguments do not decode")
)

// Server dispatches encoded calls to registered receivers. It is shared by
// every transport implementation; the zero value is not usable, call
// NewServer. A Server is safe for concurrent use: each call runs in the
// caller's goroutine, so handlers must do their own locking.
type Server struct {
	mu       sync.RWMutex
	services map[string]*service
}

type service struct {
	name    string
	methods map[string]*method // added to under Server.mu once typed
	typed   bool               // made by RegisterFunc
}

// method is one registered method M(args *A, reply *R), reflective or
// typed (RegisterFunc), behind the same three functions.
type method struct {
	newArgs  func() any // a new *A
	newReply func() any // a new *R
	invoke   func(args, reply any)
}

// NewServer returns an empty Server.
func NewServer() *Server {
	return &Server{services: map[string]*service{}}
}

// Register adds rcvr's RPC methods under the name of its Go type (for a
// *Raft, "Raft"). Methods qualify when they are exported and shaped
// func (s *T) M(args *A, reply *R) with no results; others are ignored.
// Registering a receiver without any such method is an error.
func (s *Server) Register(rcvr any) error {
	t := reflect.TypeOf(rcvr)
	if t == nil {
		return errors.New("transport: register nil receiver")
	}
	name := reflect.Indirect(reflect.ValueOf(rcvr)).Type().Name()
	return s.RegisterName(name, rcvr)
}

// RegisterName is Register under an explicit service name.
func (s *Server) RegisterName(name string, rcvr any) error {
	if name == "" || strings.Contains(name, ".") {
		return fmt.Errorf("transport: invalid service name %q", name)
	}
	v := reflect.ValueOf(rcvr)
	t := v.Type()
	svc := &service{name: name, methods: map[string]*method{}}
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		mt := m.Type
		if !m.IsExported() || mt.NumIn() != 3 || mt.NumOut() != 0 {
			continue
		}
		at, rt := mt.In(1), mt.In(2)
		if at.Kind() != reflect.Pointer || rt.Kind() != reflect.Pointer {
			continue
		}
		svc.methods[m.Name] = reflectMethod(v, m.Func, at.Elem(), rt.Elem())
	}
	if len(svc.methods) == 0 {
		return fmt.Errorf("transport: service %q (%v) has no methods shaped M(args *A, reply *R)", name, t)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.services[name]; dup {
		return fmt.Errorf("transport: service %q already registered", name)
	}
	s.services[name] = svc
	return nil
}

// reflectMethod is the method fn of rcvr, taking *A and *R for args and
// reply, called by reflection.
func reflectMethod(rcvr, fn reflect.Value, args, reply reflect.Type) *method {
	return &method{
		newArgs:  func() any { return reflect.New(args).Interface() },
		newReply: func() any { return reflect.New(reply).Interface() },
		invoke: func(a, r any) {
			fn.Call([]reflect.Value{rcvr, reflect.ValueOf(a), reflect.ValueOf(r)})
		},
	}
}

// RegisterFunc adds fn as the method svcMeth ("Service.Method"), called
// without reflection: Register finds a receiver's methods by reflection
// and calls them so (reflect.Value.Call, which costs a call about 7% of a
// transport's CPU in BenchmarkTCPParallel64), while a typed function is
// called directly. A service is made by the first of its methods
// registered, and takes further ones from RegisterFunc only; a name taken
// already is an error.
func RegisterFunc[A, R any](s *Server, svcMeth string, fn func(args *A, reply *R)) error {
	dot := strings.IndexByte(svcMeth, '.')
	if dot <= 0 || dot == len(svcMeth)-1 || strings.Count(svcMeth, ".") != 1 {
		return fmt.Errorf("transport: invalid method name %q, want Service.Method", svcMeth)
	}
	if fn == nil {
		return fmt.Errorf("transport: register nil func as %q", svcMeth)
	}
	name, meth := svcMeth[:dot], svcMeth[dot+1:]
	m := &method{
		newArgs:  func() any { return new(A) },
		newReply: func() any { return new(R) },
		invoke:   func(a, r any) { fn(a.(*A), r.(*R)) },
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	svc := s.services[name]
	switch {
	case svc == nil:
		svc = &service{name: name, methods: map[string]*method{}, typed: true}
		s.services[name] = svc
	case !svc.typed:
		return fmt.Errorf("transport: service %q already registered by Register", name)
	case svc.methods[meth] != nil:
		return fmt.Errorf("transport: method %q already registered", svcMeth)
	}
	svc.methods[meth] = m
	return nil
}

// Methods lists the registered "Service.Method" names, for diagnostics.
func (s *Server) Methods() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for _, svc := range s.services {
		for m := range svc.methods {
			out = append(out, svc.name+"."+m)
		}
	}
	return out
}

// Dispatch decodes body as the arguments of svcMeth, runs the method and
// returns the encoded reply. An unknown service or method, or arguments that
// do not decode, return an error wrapping ErrUnknownService,
// ErrUnknownMethod or ErrBadArgs; the server is unaffected.
func (s *Server) Dispatch(svcMeth string, body []byte) ([]byte, error) {
	reply, err := s.run(svcMeth, body)
	if err != nil {
		return nil, err
	}
	out, err := wire.Marshal(reply)
	if err != nil {
		return nil, fmt.Errorf("reply of %s: %w", svcMeth, err)
	}
	return out, nil
}

// AppendDispatch is Dispatch appending the encoded reply to dst, for a
// transport that frames replies in buffers of its own: it spares the copy
// Dispatch makes. On an error dst is returned as it was. body is not read
// once the method runs, so dst may reuse its memory.
func (s *Server) AppendDispatch(dst []byte, svcMeth string, body []byte) ([]byte, error) {
	reply, err := s.run(svcMeth, body)
	if err != nil {
		return dst, err
	}
	out, err := wire.Append(dst, reply)
	if err != nil {
		return dst, fmt.Errorf("reply of %s: %w", svcMeth, err)
	}
	return out, nil
}

// run decodes body as the arguments of svcMeth and runs the method; it
// returns the reply to encode.
func (s *Server) run(svcMeth string, body []byte) (any, error) {
	m, err := s.lookup(svcMeth)
	if err != nil {
		return nil, err
	}
	args := m.newArgs()
	if err := wire.Unmarshal(body, args); err != nil {
		return nil, fmt.Errorf("%w for %s: %w", ErrBadArgs, svcMeth, err)
	}
	reply := m.newReply()
	m.invoke(args, reply)
	return reply, nil
}

func (s *Server) lookup(svcMeth string) (*method, error) {
	dot := strings.LastIndexByte(svcMeth, '.')
	if dot < 0 {
		return nil, fmt.Errorf("%w: %q is not Service.Method", ErrUnknownService, svcMeth)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	svc := s.services[svcMeth[:dot]]
	if svc == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownService, svcMeth[:dot])
	}
	m := svc.methods[svcMeth[dot+1:]]
	if m == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownMethod, svcMeth)
	}
	return m, nil
}
