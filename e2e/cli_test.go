package e2e

import (
	"bytes"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	out, err := exec.Command(binary, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "apigw-local e2e" {
		t.Errorf("version: %q %v", out, err)
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	cmd := exec.Command(binary, "start", "--port", port)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v", err)
	}
	want := "apigw-local: port " + port + " on 127.0.0.1 is already in use: stop the other process or choose another port with --port\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"start", "--log-format", "xml"},
		{"start", "--log-level", "loud"},
		{"start", "--account-id", "123"},
	} {
		out, err := exec.Command(binary, args...).CombinedOutput()
		if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 || strings.Count(string(out), "\n") != 1 {
			t.Errorf("%v: exit %v, output %q (want one line and exit 1)", args, err, out)
		}
	}
}

func TestGracefulShutdown(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			e := start(t)
			if r := do(t, "GET", e.URL+"/_apigw-local/health", nil); r.Status != 200 {
				t.Fatalf("health: %d", r.Status)
			}
			if err := e.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-e.done:
			case <-time.After(15 * time.Second):
				t.Fatal("emulator did not stop")
			}
			if code := e.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
		})
	}
}
