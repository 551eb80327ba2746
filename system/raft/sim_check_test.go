package raft

// check verifies election safety, log matching, leader completeness and
// state machine safety (with the checks in processReady).
func (s *sim) check() {
	for _, nd := range s.nodes {
		c := nd.c
		if c == nil {
			continue
		}
		if c.role == roleLeader {
			if l, ok := s.leaders[c.term]; ok && l != nd.id {
				s.fatalf("two leaders in term %d: %d and %d", c.term, l, nd.id)
			}
			s.leaders[c.term] = nd.id
		}
		s.record(nd)
	}
	// Log matching: if two logs hold an entry with the same index and term,
	// they are identical up to it.
	for i, a := range s.nodes {
		if a.c == nil {
			continue
		}
		for _, b := range s.nodes[i+1:] {
			if b.c == nil {
				continue
			}
			s.checkMatching(a, b)
		}
	}
	// Leader completeness: a leader holds every entry committed in an
	// earlier term.
	for _, nd := range s.nodes {
		c := nd.c
		if c == nil || c.role != roleLeader {
			continue
		}
		for k := c.log.snap.Index + 1; k < len(s.committed); k++ {
			if s.commitTerm[k] >= c.term {
				continue
			}
			if t, ok := c.log.term(k); !ok || t != s.committed[k].Term {
				s.fatalf("leader %d of term %d lacks entry %d committed in term %d", nd.id, c.term, k, s.commitTerm[k])
			}
		}
		if c.log.snap.Index >= len(s.committed) {
			s.fatalf("leader %d snapshot %d beyond committed prefix", nd.id, c.log.snap.Index)
		}
	}
}

// record adds what nd knows committed to the global view; it must agree
// with what others committed.
func (s *sim) record(nd *simNode) {
	c := nd.c
	for k := c.log.snap.Index + 1; k <= c.log.committed; k++ {
		e := c.log.entries[k-c.log.snap.Index-1]
		if k < len(s.committed) {
			if s.committed[k].Term != e.Term || string(s.committed[k].Data) != string(e.Data) {
				s.fatalf("node %d commits index %d as t%d %q, committed before as t%d %q", nd.id, k, e.Term, e.Data, s.committed[k].Term, s.committed[k].Data)
			}
			s.commitTerm[k] = min(s.commitTerm[k], c.term)
			continue
		}
		if k != len(s.committed) {
			s.fatalf("node %d commits index %d past the known committed prefix %d", nd.id, k, len(s.committed)-1)
		}
		s.committed = append(s.committed, e)
		s.commitTerm = append(s.commitTerm, c.term)
	}
	s.maxCommitted = max(s.maxCommitted, c.log.committed)
}

func (s *sim) checkMatching(a, b *simNode) {
	la, lb := &a.c.log, &b.c.log
	lo := max(la.snap.Index, lb.snap.Index) + 1
	hi := min(la.lastIndex(), lb.lastIndex())
	same := false
	for k := hi; k >= lo; k-- {
		ea := la.entries[k-la.snap.Index-1]
		eb := lb.entries[k-lb.snap.Index-1]
		if !same && ea.Term == eb.Term {
			same = true
		}
		if same && (ea.Term != eb.Term || string(ea.Data) != string(eb.Data)) {
			s.fatalf("log matching: nodes %d and %d agree on a term above index %d but differ there", a.id, b.id, k)
		}
	}
}
