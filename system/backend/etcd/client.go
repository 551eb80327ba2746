package etcd

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"faultline/system/backend"
)

// Client is a backend.Client over etcd's v3 client. Get is a linearizable
// range read, Put a put, and Append a compare-and-swap loop (see Append).
type Client struct {
	cli  *clientv3.Client
	ids  map[uint64]string // member ID to node name; read-only
	last atomic.Uint64     // member ID in the last response header
	// shared says cli belongs to the cluster's pool, which closes it.
	shared bool
}

var (
	_ backend.Client = (*Client)(nil)
	_ backend.Served = (*Client)(nil)
)

// Get implements backend.Client with a linearizable read (etcd's default:
// the serving member confirms it is up to date through a ReadIndex round).
// A missing key reads as "".
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	resp, err := c.cli.Get(ctx, key)
	if err != nil {
		return "", classify(err)
	}
	c.served(resp.Header.GetMemberId())
	if len(resp.Kvs) == 0 {
		return "", nil
	}
	return string(resp.Kvs[0].Value), nil
}

// Put implements backend.Client.
func (c *Client) Put(ctx context.Context, key, value string) error {
	resp, err := c.cli.Put(ctx, key, value)
	if err != nil {
		return classify(err)
	}
	c.served(resp.Header.GetMemberId())
	return nil
}

// Append implements backend.Client. etcd has no append, so Append reads
// the key and then commits a transaction that writes old+value only if the
// key's ModRevision is still the one read (0 for a missing key); when
// another writer got there first, the transaction's else branch returns
// the new value and revision and Append tries again, until ctx ends.
//
// Outcomes: a failed read, or a transaction that was refused, leaves the
// key untouched, so those errors are definite (backend.ErrDefinite); a
// transaction whose outcome is unknown (timeout, lost connection) ends
// Append at once with a plain error, never a blind retry that could append
// twice.
func (c *Client) Append(ctx context.Context, key, value string) error {
	resp, err := c.cli.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("%w: etcd: append read: %w", backend.ErrDefinite, err)
	}
	old, rev := "", int64(0)
	if len(resp.Kvs) > 0 {
		old, rev = string(resp.Kvs[0].Value), resp.Kvs[0].ModRevision
	}
	for {
		tr, err := c.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
			Then(clientv3.OpPut(key, old+value)).
			Else(clientv3.OpGet(key)).
			Commit()
		if err != nil {
			return classify(err)
		}
		c.served(tr.Header.GetMemberId())
		if tr.Succeeded {
			return nil
		}
		old, rev = "", 0
		if rs := tr.Responses; len(rs) > 0 {
			if kvs := rs[0].GetResponseRange().GetKvs(); len(kvs) > 0 {
				old, rev = string(kvs[0].Value), kvs[0].ModRevision
			}
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: etcd: append gave up after conflicts: %w", backend.ErrDefinite, err)
		}
	}
}

// served records the member that answered.
func (c *Client) served(id uint64) { c.last.Store(id) }

// LastNode implements backend.Served: the member named in the header of
// the last response, or "" before any.
func (c *Client) LastNode() string { return c.ids[c.last.Load()] }

// Close implements backend.Client: it closes the clientv3 client unless
// that is shared (then the cluster's Stop closes it).
func (c *Client) Close() error {
	if c.shared {
		return nil
	}
	return c.cli.Close()
}

// classify wraps errors after which the operation certainly did not take
// effect in backend.ErrDefinite: requests the server rejected as invalid,
// too large, over quota, unauthenticated or out of range, and "too many
// requests" (refused before proposing). Timeouts, cancellations and
// unavailability (including etcd's "no leader" and "request timed out",
// which can follow a proposal) stay plain: the outcome is unknown.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("etcd: %w", err)
	}
	code := codes.Unknown
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		code = ee.Code()
	} else if s, ok := status.FromError(err); ok {
		code = s.Code()
	}
	switch code {
	case codes.InvalidArgument, codes.FailedPrecondition, codes.ResourceExhausted,
		codes.PermissionDenied, codes.Unauthenticated, codes.OutOfRange, codes.AlreadyExists:
		return fmt.Errorf("%w: etcd: %w", backend.ErrDefinite, err)
	}
	return fmt.Errorf("etcd: %w", err)
}
