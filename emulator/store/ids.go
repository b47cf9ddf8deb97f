package store

import (
	"math/rand/v2"
	"sync"
)

// IDGenerator makes resource identifiers in AWS's format: lowercase letters and digits.
// REST API and root resource ids have 10 characters, child resources, deployments,
// authorizers, models and validators 6, as AWS's own ids do.
type IDGenerator interface {
	NewID(n int) string
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// RandomIDs draws ids from the runtime's goroutine-safe random source.
type RandomIDs struct{}

// NewID returns n random characters of [a-z0-9].
func (RandomIDs) NewID(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b)
}

// SeededIDs draws ids from a seeded source, so tests get the same ids on every run.
type SeededIDs struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// NewSeededIDs returns a deterministic generator.
func NewSeededIDs(seed uint64) *SeededIDs {
	return &SeededIDs{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// NewID returns the next n characters of [a-z0-9] from the seeded source.
func (g *SeededIDs) NewID(n int) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[g.rng.IntN(len(idAlphabet))]
	}
	return string(b)
}
