package invocation

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// TailSize is how much of an invocation's log X-Amz-Log-Result carries: the last 4 KB.
const TailSize = 4096

// Sink receives the log lines of every function. Lines are written whole, one Write per line, so
// output of concurrent environments never interleaves inside a line. A Sink is safe for concurrent
// use; the zero value discards everything.
type Sink struct {
	mu     sync.Mutex
	w      io.Writer
	logger *slog.Logger
	buf    []byte
}

// NewSink returns a Sink writing "[function requestId] line" to w when w is non-nil, otherwise
// logging each line at Info level to logger (attributes "function" and "requestId") when logger is
// non-nil, otherwise discarding.
func NewSink(w io.Writer, logger *slog.Logger) *Sink {
	if logger != nil && !logger.Enabled(context.Background(), slog.LevelInfo) {
		logger = nil
	}
	return &Sink{w: w, logger: logger}
}

func (s *Sink) enabled() bool { return s != nil && (s.w != nil || s.logger != nil) }

func (s *Sink) write(function, requestID string, line []byte) {
	if s.w != nil {
		s.mu.Lock()
		b := append(s.buf[:0], '[')
		b = append(b, function...)
		if requestID != "" {
			b = append(b, ' ')
			b = append(b, requestID...)
		}
		b = append(b, "] "...)
		b = append(b, line...)
		b = append(b, '\n')
		_, _ = s.w.Write(b) // a failing log writer must not fail invocations
		s.buf = b
		s.mu.Unlock()
		return
	}
	s.logger.LogAttrs(context.Background(), slog.LevelInfo, string(line),
		slog.String("function", function), slog.String("requestId", requestID))
}

// Log collects the lines of one invocation: it forwards each to the Sink and, when the caller asked
// for a log tail, keeps the last [TailSize] bytes.
type Log struct {
	mu        sync.Mutex // the invoker and an environment's output reader both write
	sink      *Sink
	function  string
	requestID string
	keepTail  bool
	tail      []byte
	scratch   []byte
}

// Reset prepares l for a new invocation. keepTail asks for the log tail.
func (l *Log) Reset(sink *Sink, function, requestID string, keepTail bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sink, l.function, l.requestID, l.keepTail = sink, function, requestID, keepTail
	l.tail = l.tail[:0]
}

// RequestID returns the request id the log belongs to.
func (l *Log) RequestID() string { return l.requestID }

// Line records one line; b holds no trailing newline and may be reused after Line returns.
func (l *Log) Line(b []byte) {
	l.mu.Lock()
	l.line(b)
	l.mu.Unlock()
}

func (l *Log) line(b []byte) {
	if l.sink.enabled() {
		l.sink.write(l.function, l.requestID, b)
	}
	if l.keepTail {
		l.tail = append(l.tail, b...)
		l.tail = append(l.tail, '\n')
		if len(l.tail) > 4*TailSize { // keep memory bounded for chatty functions
			n := copy(l.tail, l.tail[len(l.tail)-TailSize:])
			l.tail = l.tail[:n]
		}
	}
}

// Tail returns the last [TailSize] bytes logged, or nil when no tail was asked for.
func (l *Log) Tail() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.keepTail {
		return nil
	}
	t := l.tail
	if len(t) > TailSize {
		t = t[len(t)-TailSize:]
	}
	return append([]byte(nil), t...)
}

// Start prints Lambda's START line.
func (l *Log) Start(version string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := append(l.scratch[:0], "START RequestId: "...)
	b = append(b, l.requestID...)
	b = append(b, " Version: "...)
	b = append(b, version...)
	l.scratch = b
	l.line(b)
}

// End prints Lambda's END line.
func (l *Log) End() {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := append(l.scratch[:0], "END RequestId: "...)
	b = append(b, l.requestID...)
	l.scratch = b
	l.line(b)
}

// TimedOut prints the line Lambda logs when an invocation hits its timeout, e.g.
// "2020-11-10T05:46:57.874Z 160788cd-... Task timed out after 3.07 seconds".
func (l *Log) TimedOut(now time.Time, elapsed time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := now.UTC().AppendFormat(l.scratch[:0], "2006-01-02T15:04:05.000Z")
	b = append(b, ' ')
	b = append(b, l.requestID...)
	b = append(b, " Task timed out after "...)
	b = strconv.AppendFloat(b, elapsed.Seconds(), 'f', 2, 64)
	b = append(b, " seconds"...)
	l.scratch = b
	l.line(b)
}

// Report prints Lambda's REPORT line, tab separated as Lambda prints it:
//
//	REPORT RequestId: id	Duration: 1.23 ms	Billed Duration: 2 ms	Memory Size: 128 MB	Max Memory Used: 20 MB	Init Duration: 5.67 ms
//
// maxMemoryMB below 1 prints as 1, as Lambda never reports less.
func (l *Log) Report(r *Result, memorySizeMB, maxMemoryMB int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := append(l.scratch[:0], "REPORT RequestId: "...)
	b = append(b, l.requestID...)
	b = append(b, "\tDuration: "...)
	b = appendMillis(b, r.Duration)
	b = append(b, " ms\tBilled Duration: "...)
	b = strconv.AppendInt(b, BilledMillis(r.Duration+r.InitDuration), 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(memorySizeMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	b = strconv.AppendInt(b, int64(max(maxMemoryMB, 1)), 10)
	b = append(b, " MB\t"...)
	if r.InitDuration > 0 {
		b = append(b, "Init Duration: "...)
		b = appendMillis(b, r.InitDuration)
		b = append(b, " ms\t"...)
	}
	l.scratch = b
	l.line(b)
}

// BilledMillis rounds d up to whole milliseconds, at least 1, as Lambda bills.
func BilledMillis(d time.Duration) int64 {
	ms := int64((d + time.Millisecond - 1) / time.Millisecond)
	return max(ms, 1)
}

func appendMillis(b []byte, d time.Duration) []byte {
	return strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 2, 64)
}
