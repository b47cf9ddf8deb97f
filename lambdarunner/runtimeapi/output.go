package runtimeapi

import (
	"errors"
	"os"
	"sync"
	"syscall"

	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
)

// maxLine is the longest line kept whole; longer output is split, as Lambda splits log events.
const maxLine = 256 * 1024

// outputReader reads an environment's combined stdout and stderr from one pipe and attributes each
// line to the invocation in flight (or to no invocation, during init and between calls).
//
// Ordering invariant: a runtime writes its output before it POSTs the response, so that output is
// in the pipe when the response arrives. drain reads the pipe dry under the same mutex the
// background reader holds while it reads and attributes, so after drain every byte written before
// the response is attributed, and nothing read later lands in the finished invocation.
type outputReader struct {
	f  *os.File
	rc syscall.RawConn

	mu      sync.Mutex
	target  *invocation.Log
	none    invocation.Log
	buf     []byte
	partial []byte
	eof     bool
	// While the runtime initializes and no invocation is attached yet, lines are held, so
	// the init output of a cold start belongs to the invocation that caused it however the
	// process start and the attach interleave. heldBytes bounds them.
	initDone  bool
	held      [][]byte
	heldBytes int
}

// maxHeld bounds the init output held for the first invocation.
const maxHeld = 256 * 1024

func newOutputReader(f *os.File, sink *invocation.Sink, function string) *outputReader {
	o := &outputReader{f: f, buf: make([]byte, 32*1024)}
	o.none.Reset(sink, function, "", false)
	rc, err := f.SyscallConn()
	if err != nil { // pipes always have one; without it output is dropped rather than blocking
		o.eof = true
	}
	o.rc = rc
	return o
}

// run reads until the pipe closes (every process holding it exited).
func (o *outputReader) run() {
	defer func() { _ = o.f.Close() }()
	if o.rc == nil {
		return
	}
	_ = o.rc.Read(func(fd uintptr) bool {
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.readLocked(int(fd))
	})
	o.mu.Lock()
	o.eof = true
	o.flushLocked()
	o.releaseHeldLocked(o.target)
	o.mu.Unlock()
}

// readLocked reads everything available. It returns true at end of file (or on a read error) and
// false when the pipe is empty.
func (o *outputReader) readLocked(fd int) bool {
	for {
		n, err := syscall.Read(fd, o.buf)
		if n > 0 {
			o.consumeLocked(o.buf[:n])
			continue
		}
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.EAGAIN) {
			return false
		}
		o.eof = true
		return true
	}
}

func (o *outputReader) consumeLocked(b []byte) {
	for len(b) > 0 {
		i := indexNewline(b)
		if i < 0 {
			o.partial = append(o.partial, b...)
			if len(o.partial) >= maxLine {
				o.flushLocked()
			}
			return
		}
		line := b[:i]
		if len(o.partial) > 0 {
			o.partial = append(o.partial, line...)
			line = o.partial
		}
		o.emitLocked(line)
		o.partial = o.partial[:0]
		b = b[i+1:]
	}
}

func indexNewline(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func (o *outputReader) flushLocked() {
	if len(o.partial) > 0 {
		o.emitLocked(o.partial)
		o.partial = o.partial[:0]
	}
}

func (o *outputReader) emitLocked(line []byte) {
	if o.target != nil {
		o.target.Line(line)
		return
	}
	if !o.initDone && o.heldBytes+len(line) <= maxHeld {
		o.held = append(o.held, append([]byte(nil), line...))
		o.heldBytes += len(line)
		return
	}
	o.none.Line(line)
}

// releaseHeldLocked hands the held init lines to l (or to no invocation when l is nil).
func (o *outputReader) releaseHeldLocked(l *invocation.Log) {
	for _, line := range o.held {
		if l != nil {
			l.Line(line)
		} else {
			o.none.Line(line)
		}
	}
	o.held, o.heldBytes = nil, 0
}

// endInit marks the end of the runtime's init phase: init output nobody claimed (an eager
// start) belongs to no invocation.
func (o *outputReader) endInit() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.target == nil {
		o.releaseHeldLocked(nil)
	}
	o.initDone = true
}

// drain attributes everything the process has written so far, including an unterminated last line.
func (o *outputReader) drain() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.drainLocked()
}

// drainAndDetach drains, then directs further lines to no invocation, atomically.
func (o *outputReader) drainAndDetach() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.drainLocked()
	if len(o.held) > 0 {
		o.releaseHeldLocked(o.target)
	}
	o.target = nil
}

func (o *outputReader) drainLocked() {
	if !o.eof && o.rc != nil {
		_ = o.rc.Control(func(fd uintptr) { o.readLocked(int(fd)) }) // fails only once the file is closed, after eof
	}
	o.flushLocked()
}

// setTarget directs further lines to l (nil: no invocation).
func (o *outputReader) setTarget(l *invocation.Log) {
	o.mu.Lock()
	if l != nil && len(o.held) > 0 {
		o.releaseHeldLocked(l)
	}
	o.target = l
	o.mu.Unlock()
}
