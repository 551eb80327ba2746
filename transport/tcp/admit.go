package tcp

import "sync/atomic"

// ListenerStats counts what a Listener did with its connections.
type ListenerStats struct {
	// Accepted counts the connections accepted.
	Accepted int64
	// Authenticated counts those that completed the handshake (every
	// accepted one when the Listener has no Secret).
	Authenticated int64
	// Rejected counts connections closed for failing authentication: no
	// or a wrong secret, bytes that are not the handshake, or a handshake
	// not done within HandshakeTimeout. No frame of theirs was decoded.
	Rejected int64
	// Evicted counts connections closed while authenticating because
	// MaxHandshakes others arrived after them.
	Evicted int64
	// OverLimit counts authenticated connections closed because MaxConns
	// were open.
	OverLimit int64
	// SlowFrames counts connections dropped for a frame not complete within
	// FrameTimeout of its arrival.
	SlowFrames int64
	// Idle counts connections closed after IdleTimeout without a frame.
	Idle int64
	// Handshaking and Open are the connections authenticating and
	// authenticated right now.
	Handshaking, Open int
}

// Unauthenticated is the number of connections closed before they
// authenticated: Rejected plus Evicted.
func (s ListenerStats) Unauthenticated() int64 { return s.Rejected + s.Evicted }

// listenerCounts are the cumulative counts of ListenerStats.
type listenerCounts struct {
	accepted, authenticated, rejected, evicted, overLimit, slowFrames, idle atomic.Int64
}

// Stats returns the Listener's counts so far.
func (l *Listener) Stats() ListenerStats {
	l.mu.Lock()
	hs, open := l.handshaking.Len(), l.open
	l.mu.Unlock()
	c := &l.counts
	return ListenerStats{
		Accepted:      c.accepted.Load(),
		Authenticated: c.authenticated.Load(),
		Rejected:      c.rejected.Load(),
		Evicted:       c.evicted.Load(),
		OverLimit:     c.overLimit.Load(),
		SlowFrames:    c.slowFrames.Load(),
		Idle:          c.idle.Load(),
		Handshaking:   hs,
		Open:          open,
	}
}

// admit registers a new connection as authenticating; l.mu is held. When
// MaxHandshakes are authenticating already, the oldest of them is closed:
// an attacker holding every slot with silent connections is pushed out by
// each newcomer, so a peer's connection, whose handshake takes a round
// trip or two, still gets through, while closing the newcomer instead
// would lock peers out until the attacker's handshakes time out.
//
// Without a Secret there is no handshake, so no connection waits in the list
// and none is evicted.
func (l *Listener) admit(sc *serverConn) {
	if l.auth == nil {
		return
	}
	if l.handshaking.Len() >= l.cfg.MaxHandshakes {
		old := l.handshaking.Remove(l.handshaking.Front()).(*serverConn)
		old.hs = nil
		old.evicted = true
		old.shutdown()
	}
	sc.hs = l.handshaking.PushBack(sc)
}

// promote moves sc from authenticating to open, and reports false (having
// counted why) when it may not be: it was evicted meanwhile, or MaxConns are
// open.
func (l *Listener) promote(sc *serverConn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.leaveHandshakes(sc) {
		return false
	}
	if l.open >= l.cfg.MaxConns {
		l.counts.overLimit.Add(1)
		return false
	}
	l.open++
	sc.open = true
	l.counts.authenticated.Add(1)
	return true
}

// unauthenticated counts sc's failed handshake and forgets it. It reports
// whether sc was evicted (rather than refused); a handshake cut short by
// Close is not counted.
func (l *Listener) unauthenticated(sc *serverConn) (evicted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.leaveHandshakes(sc) {
		return true
	}
	if !l.closed {
		l.counts.rejected.Add(1)
	}
	return false
}

// leaveHandshakes takes sc off the authenticating list, or, if admit
// evicted it meanwhile, counts that and reports true; l.mu is held.
func (l *Listener) leaveHandshakes(sc *serverConn) (evicted bool) {
	if sc.evicted {
		l.counts.evicted.Add(1)
		return true
	}
	if sc.hs != nil {
		l.handshaking.Remove(sc.hs)
		sc.hs = nil
	}
	return false
}
