package e2e

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// projectEmulator is apigw-local started in a project folder.
type projectEmulator struct {
	*emulator
	// Root is the --api-port listener's URL ("" when it serves nothing).
	Root string

	outMu sync.Mutex
	out   strings.Builder
	lines chan struct{} // signalled on every stdout line
}

var (
	rootRE  = regexp.MustCompile(`serving the project's API on (http://\S+)`)
	apiIDRE = regexp.MustCompile(`/_aws/execute-api/([a-z0-9]{10})/`)
)

// startProject runs "apigw-local start --port 0" plus args in dir and waits until it
// listens (and, with an --api-port, until that listener is up too).
func startProject(t *testing.T, dir string, args ...string) *projectEmulator {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"start", "--port", "0", "--log-level", "debug"}, args...)...)
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	e := &projectEmulator{emulator: &emulator{cmd: cmd, done: make(chan struct{})}, lines: make(chan struct{}, 1)}
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.stderr.Write(p)
	})
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(e.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", e.stdout(), e.log())
		}
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			e.outMu.Lock()
			e.out.WriteString(sc.Text() + "\n")
			e.outMu.Unlock()
			select {
			case e.lines <- struct{}{}:
			default:
			}
		}
	}()
	wantRoot := false
	for i, a := range args {
		if a == "--api-port" && i+1 < len(args) && args[i+1] != "0" {
			wantRoot = true
		}
	}
	e.waitOutput(t, "listening on", 60*time.Second)
	e.URL = listenRE.FindStringSubmatch(e.stdout())[1]
	if wantRoot {
		e.waitOutput(t, "serving the project's API on", 10*time.Second)
		e.Root = rootRE.FindStringSubmatch(e.stdout())[1]
	}
	e.waitOutput(t, "Ready. Press Ctrl+C to stop.", 10*time.Second)
	t.Logf("%s loaded in %s", filepath.Base(dir), time.Since(start).Round(time.Millisecond))
	return e
}

func (e *projectEmulator) stdout() string {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	return e.out.String()
}

// waitOutput polls stdout for a substring until the deadline.
func (e *projectEmulator) waitOutput(t *testing.T, substr string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for !strings.Contains(e.stdout(), substr) {
		select {
		case <-e.lines:
		case <-e.done:
			if strings.Contains(e.stdout(), substr) {
				return
			}
			t.Fatalf("apigw-local exited before printing %q:\nstdout:\n%s\nstderr:\n%s", substr, e.stdout(), e.log())
		case <-deadline:
			t.Fatalf("apigw-local did not print %q within %s:\nstdout:\n%s\nstderr:\n%s", substr, within, e.stdout(), e.log())
		}
	}
}

// apiID is the id of the API the start-up table shows.
func (e *projectEmulator) apiID(t *testing.T) string {
	t.Helper()
	m := apiIDRE.FindStringSubmatch(e.stdout())
	if m == nil {
		t.Fatalf("no API id in the start-up table:\n%s", e.stdout())
	}
	return m[1]
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// runExpectingFailure runs apigw-local start in dir and returns its exit error and output.
func runExpectingFailure(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"start", "--port", "0", "--api-port", "0"}, args...)...)
	cmd.Dir = dir
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("apigw-local kept running with a broken project:\n%s", out)
	}
	return string(out), err
}

// copyDir copies a sample project into a fresh directory.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// poll calls f until it reports true or the deadline passes.
func poll(t *testing.T, within time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !f() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a wait for a condition
	}
	return time.Since(start)
}
