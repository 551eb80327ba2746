package tcp

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"
)

// authenticator runs one side of a connection's authentication, as
// Config.Secret and Config.TLS ask. A nil *authenticator authenticates
// nothing (no Secret).
type authenticator struct {
	secret []byte
	tls    *tls.Config // nil in HMAC mode
	server bool
}

// newAuthenticator returns cfg's authenticator for the server or the client
// side, nil without a Secret.
func newAuthenticator(cfg Config, server bool) (*authenticator, error) {
	if cfg.Secret == nil {
		return nil, nil
	}
	a := &authenticator{secret: cfg.Secret, server: server}
	if cfg.TLS {
		srv, cli, err := tlsConfigs(cfg.Secret)
		if err != nil {
			return nil, err
		}
		a.tls = cli
		if server {
			a.tls = srv
		}
	}
	return a, nil
}

// secure authenticates nc before the deadline and returns the connection to
// speak frames on: nc itself in HMAC mode, its TLS wrapping in TLS mode.
// On failure the caller closes nc. Errors wrap ErrAuth when the peer failed
// to authenticate, the stream's error (a timeout, say) otherwise.
func (a *authenticator) secure(ctx context.Context, nc net.Conn, deadline time.Time) (net.Conn, error) {
	if a == nil {
		return nc, nil
	}
	if err := nc.SetDeadline(deadline); err != nil {
		return nil, err
	}
	conn := nc
	if a.tls == nil {
		var err error
		if a.server {
			err = serverHandshake(nc, a.secret)
		} else {
			err = clientHandshake(nc, a.secret)
		}
		if err != nil {
			return nil, err
		}
	} else {
		var tc *tls.Conn
		if a.server {
			tc = tls.Server(nc, a.tls)
		} else {
			tc = tls.Client(nc, a.tls)
		}
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("%w: tls: %w", ErrAuth, err)
		}
		conn = tc
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		return nil, err
	}
	return conn, nil
}
