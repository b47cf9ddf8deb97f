package invocation

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLogLines(t *testing.T) {
	var out bytes.Buffer
	var l Log
	l.Reset(NewSink(&out, nil), "fn", "req-1", true)
	l.Start("$LATEST")
	l.Line([]byte("hello"))
	l.TimedOut(time.Date(2020, 11, 10, 5, 46, 57, 874e6, time.UTC), 3070*time.Millisecond)
	l.End()
	l.Report(&Result{Duration: 3071270 * time.Microsecond, InitDuration: 5 * time.Millisecond}, 128, 21)
	want := "START RequestId: req-1 Version: $LATEST\n" +
		"hello\n" +
		"2020-11-10T05:46:57.874Z req-1 Task timed out after 3.07 seconds\n" +
		"END RequestId: req-1\n" +
		"REPORT RequestId: req-1\tDuration: 3071.27 ms\tBilled Duration: 3077 ms\tMemory Size: 128 MB\tMax Memory Used: 21 MB\tInit Duration: 5.00 ms\t\n"
	if got := string(l.Tail()); got != want {
		t.Errorf("tail:\n%q\nwant:\n%q", got, want)
	}
	if !strings.HasPrefix(out.String(), "[fn req-1] START RequestId: req-1") {
		t.Errorf("sink: %q", out.String())
	}
	for range 2000 {
		l.Line([]byte("0123456789"))
	}
	if n := len(l.Tail()); n != TailSize {
		t.Errorf("tail is %d bytes, want the last %d", n, TailSize)
	}
}

func TestErrorPayloads(t *testing.T) {
	tests := map[string]string{
		string(TimeoutError("r", 3*time.Second)): `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: r Error: Task timed out after 3.00 seconds"}`,
		string(ExitError("r", "exit status 1")):  `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r Error: Runtime exited with error: exit status 1"}`,
		string(ExitError("r", "")):               `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r Error: Runtime exited without providing a reason"}`,
	}
	for got, want := range tests {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	if got := parseVmHWM([]byte("Name:\tx\nVmHWM:\t   20481 kB\nVmRSS:\t1 kB\n")); got != 21 {
		t.Errorf("parseVmHWM = %d, want 21", got)
	}
}
