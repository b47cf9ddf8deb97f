// Package requestid makes the two ids API Gateway stamps on every request: the request id
// (a UUID v4, sent as x-amzn-RequestId and $context.requestId) and the extended request id
// (16 base64 characters ending in "=", sent as x-amz-apigw-id and
// $context.extendedRequestId).
package requestid

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"sync"
)

// Source makes request ids.
type Source interface {
	// New returns a request id and an extended request id.
	New() (id, extended string)
}

// Random draws ids from the runtime's goroutine-safe random source. It is fast enough for
// the data plane's hot path (no locks, two allocations).
type Random struct{}

// New returns fresh random ids.
func (Random) New() (string, string) { return format(rand.Uint64(), rand.Uint64(), rand.Uint64()) }

// Seeded makes a reproducible sequence of ids for tests.
type Seeded struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// NewSeeded returns a Source whose ids depend only on seed.
func NewSeeded(seed uint64) *Seeded { return &Seeded{rng: rand.New(rand.NewPCG(seed, ^seed))} }

// New returns the next ids of the sequence.
func (s *Seeded) New() (string, string) {
	s.mu.Lock()
	a, b, c := s.rng.Uint64(), s.rng.Uint64(), s.rng.Uint64()
	s.mu.Unlock()
	return format(a, b, c)
}

func format(a, b, c uint64) (string, string) {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], a)
	binary.LittleEndian.PutUint64(u[8:], b)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var id [36]byte
	hex.Encode(id[0:8], u[0:4])
	id[8] = '-'
	hex.Encode(id[9:13], u[4:6])
	id[13] = '-'
	hex.Encode(id[14:18], u[6:8])
	id[18] = '-'
	hex.Encode(id[19:23], u[8:10])
	id[23] = '-'
	hex.Encode(id[24:], u[10:])

	var raw [11]byte
	binary.LittleEndian.PutUint64(raw[:8], c)
	raw[8], raw[9], raw[10] = byte(a>>8), byte(b>>16), byte(c>>24)
	var ext [16]byte
	// 11 bytes encode to 15 characters and one '=', the shape of AWS's ids (Mc7UVioPPHcEKPA=).
	base64.StdEncoding.Encode(ext[:], raw[:11])
	return string(id[:]), string(ext[:])
}
