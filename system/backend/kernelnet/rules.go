package kernelnet

import (
	"encoding/binary"
	"math"
	"net"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"

	"faultline/transport"
)

// Rule actions, as Counter.Action names them.
const (
	actionBlock = "block"
	actionReset = "reset"
	actionLoss  = "loss"
)

// lossScale is the modulus of the random numbers a loss rule draws: a
// loss probability is applied to within 1e-6.
const lossScale = 1_000_000

// linkRules returns the rules, without table and chain, that apply lf to
// the packets of link l (in the chain of l[0]'s veth) bound to address to:
// a block alone when the link is blocked, else a TCP reset and random
// loss as lf asks. Each rule counts what it matches and names its link
// and action in its comment.
func linkRules(l [2]string, to net.IP, lf transport.LinkFaults) []*nftables.Rule {
	rule := func(action string, exprs ...expr.Any) *nftables.Rule {
		e := append(matchDst(to), exprs...)
		return &nftables.Rule{Exprs: e,
			UserData: userdata.AppendString(nil, userdata.TypeComment, l[0]+"->"+l[1]+" "+action)}
	}
	if lf.Blocked {
		return []*nftables.Rule{rule(actionBlock, &expr.Counter{}, &expr.Verdict{Kind: expr.VerdictDrop})}
	}
	var out []*nftables.Rule
	if lf.Conn == transport.ConnReset {
		out = append(out, rule(actionReset,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 9, Len: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
			&expr.Counter{}, &expr.Reject{Type: unix.NFT_REJECT_TCP_RST}))
	}
	if lf.Drop > 0 {
		below := uint32(math.Round(lf.Drop * lossScale))
		out = append(out, rule(actionLoss,
			&expr.Numgen{Register: 1, Modulus: lossScale, Type: unix.NFT_NG_RANDOM},
			&expr.Byteorder{SourceRegister: 1, DestRegister: 1, Op: expr.ByteorderHton, Len: 4, Size: 4},
			&expr.Cmp{Op: expr.CmpOpLt, Register: 1, Data: binary.BigEndian.AppendUint32(nil, below)},
			&expr.Counter{}, &expr.Verdict{Kind: expr.VerdictDrop}))
	}
	return out
}

// matchDst matches IPv4 packets to ip.
func matchDst(ip net.IP) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyPROTOCOL, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binary.BigEndian.AppendUint16(nil, unix.ETH_P_IP)},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ip.To4()},
	}
}

// ruleCounter reads a rule written by linkRules back: its link, action
// and counter.
func ruleCounter(r *nftables.Rule) (Counter, bool) {
	comment, ok := userdata.GetString(r.UserData, userdata.TypeComment)
	if !ok {
		return Counter{}, false
	}
	link, action, ok := strings.Cut(comment, " ")
	from, to, ok2 := strings.Cut(link, "->")
	if !ok || !ok2 {
		return Counter{}, false
	}
	k := Counter{Link: [2]string{from, to}, Action: action}
	for _, e := range r.Exprs {
		if c, ok := e.(*expr.Counter); ok {
			k.Packets, k.Bytes = c.Packets, c.Bytes
		}
	}
	return k, true
}
