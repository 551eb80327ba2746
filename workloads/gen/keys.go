package gen

import (
	"math"
	"math/rand/v2"
)

// KeyChooser picks key indexes in [0, n) where n is the current key count.
// Implementations are safe for concurrent use when each caller passes its
// own *rand.Rand.
type KeyChooser interface {
	// Next returns a key index in [0, n); n >= 1.
	Next(r *rand.Rand, n int) int
}

// Uniform picks every key with equal probability.
type Uniform struct{}

// Next implements KeyChooser.
func (Uniform) Next(r *rand.Rand, n int) int { return r.IntN(n) }

// ZipfConstant is YCSB's default zipfian constant.
const ZipfConstant = 0.99

// MaxZipfItems caps the item count of a Zipfian: its exact sampler keeps
// a cumulative table of one float64 per item.
const MaxZipfItems = 1 << 20

// Zipfian draws item i in [0, items) with probability proportional to
// 1/(i+1)^theta, exactly, by inverting its cumulative distribution with a
// binary search over a precomputed table. (YCSB uses the faster method of
// Gray et al., which only approximates the distribution: a chi-square test
// rejects it.) Item 0 is the most popular. It is immutable after NewZipfian
// and safe for concurrent use.
type Zipfian struct {
	theta float64
	zetan float64
	cum   []float64 // cum[i] = P(item <= i)
}

// NewZipfian returns a zipfian over min(items, MaxZipfItems) items, items
// >= 1, with constant theta > 0.
func NewZipfian(items int, theta float64) *Zipfian {
	items = min(max(items, 1), MaxZipfItems)
	z := &Zipfian{theta: theta, cum: make([]float64, items)}
	s := 0.0
	for i := range items {
		s += 1 / math.Pow(float64(i+1), theta)
		z.cum[i] = s
	}
	z.zetan = s
	for i := range z.cum {
		z.cum[i] /= s
	}
	z.cum[items-1] = 1
	return z
}

// Items is the number of items.
func (z *Zipfian) Items() int { return len(z.cum) }

// Draw returns an item in [0, Items()).
func (z *Zipfian) Draw(r *rand.Rand) int {
	u := r.Float64()
	lo, hi := 0, len(z.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if z.cum[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// Prob returns the exact probability of item i.
func (z *Zipfian) Prob(i int) float64 {
	return 1 / math.Pow(float64(i+1), z.theta) / z.zetan
}

// ScrambledZipfian spreads a zipfian's popular items over the key space by
// hashing, as YCSB's ScrambledZipfianGenerator does, so that hot keys are
// not neighbours. It draws from a zipfian over a large fixed item space and
// hashes the item into [0, n).
type ScrambledZipfian struct {
	z *Zipfian
}

// NewScrambledZipfian returns a scrambled zipfian with constant
// ZipfConstant over a key space of keys keys. YCSB draws from 10^10 items;
// here the item space is keys*10, at least 10^4 and at most MaxZipfItems,
// which keeps the head of the distribution and its spread over the keys.
func NewScrambledZipfian(keys int) *ScrambledZipfian {
	items := min(max(keys*10, 10_000), MaxZipfItems)
	return &ScrambledZipfian{z: NewZipfian(items, ZipfConstant)}
}

// Next implements KeyChooser.
func (s *ScrambledZipfian) Next(r *rand.Rand, n int) int {
	return int(fnv64(uint64(s.z.Draw(r))) % uint64(n))
}

// fnv64 is the 64-bit FNV-1a hash of v's eight bytes, as YCSB's
// Utils.fnvhash64.
func fnv64(v uint64) uint64 {
	h := uint64(0xCBF29CE484222325)
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= 1099511628211
		v >>= 8
	}
	return h
}

// Latest favours the most recently inserted keys: key n-1 is the most
// popular, then n-2, and so on, with zipfian weights (YCSB's
// SkewedLatestGenerator).
type Latest struct {
	z *Zipfian
}

// NewLatest returns a Latest chooser for key spaces of up to maxKeys keys.
// When the key space is smaller, draws beyond it are redrawn.
func NewLatest(maxKeys int) *Latest { return &Latest{z: NewZipfian(max(maxKeys, 2), ZipfConstant)} }

// Next implements KeyChooser.
func (l *Latest) Next(r *rand.Rand, n int) int {
	for {
		d := l.z.Draw(r)
		if d < n {
			return n - 1 - d
		}
	}
}

// Hotspot sends a fraction HotOps of the picks to the first HotKeys
// fraction of the key space, uniformly, and the rest uniformly to the
// others.
type Hotspot struct {
	HotKeys float64
	HotOps  float64
}

// Next implements KeyChooser.
func (h Hotspot) Next(r *rand.Rand, n int) int {
	hot := max(1, int(float64(n)*h.HotKeys))
	if hot >= n {
		return r.IntN(n)
	}
	if r.Float64() < h.HotOps {
		return r.IntN(hot)
	}
	return hot + r.IntN(n-hot)
}

// plainZipf is a zipfian over the current key count, unscrambled: key 0
// is hottest. The tests compare it with theory.
type plainZipf struct{ z *Zipfian }

// Next implements KeyChooser.
func (p plainZipf) Next(r *rand.Rand, n int) int {
	for {
		if d := p.z.Draw(r); d < n {
			return d
		}
	}
}
