package lambdarunner_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

func TestParseFunctionSpec(t *testing.T) {
	two := 2
	tests := []struct {
		name, spec string
		want       lambdarunner.FunctionConfig
		wantErr    string
	}{
		{"minimal", "name=hello,runtime=nodejs20.x,handler=index.handler,code=./hello",
			lambdarunner.FunctionConfig{Name: "hello", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: "./hello"}, ""},
		{"all keys", "name=h, runtime=python3.12 ,handler=app.h,code=/src,timeout=2.5,memory=256,reserved=2,interpreter=/usr/bin/python3",
			lambdarunner.FunctionConfig{Name: "h", Runtime: "python3.12", Handler: "app.h", CodeDir: "/src", Timeout: 2500 * time.Millisecond, MemorySize: 256, ReservedConcurrency: &two, Interpreter: "/usr/bin/python3"}, ""},
		{"duration timeout", "name=g,runtime=provided.al2023,code=.,timeout=500ms",
			lambdarunner.FunctionConfig{Name: "g", Runtime: "provided.al2023", CodeDir: ".", Timeout: 500 * time.Millisecond}, ""},
		{"unknown key", "name=a,runtime=x,code=.,colour=red", lambdarunner.FunctionConfig{}, `unknown key "colour"`},
		{"missing code", "name=a,runtime=nodejs20.x", lambdarunner.FunctionConfig{}, "required"},
		{"bad timeout", "name=a,runtime=x,code=.,timeout=soon", lambdarunner.FunctionConfig{}, "timeout"},
		{"bad memory", "name=a,runtime=x,code=.,memory=-1", lambdarunner.FunctionConfig{}, "memory"},
		{"not key=value", "name=a,runtime", lambdarunner.FunctionConfig{}, "not key=value"},
		{"duplicate", "name=a,name=b,runtime=x,code=.", lambdarunner.FunctionConfig{}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lambdarunner.ParseFunctionSpec(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadEnvFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "env.json")
	if err := os.WriteFile(p, []byte(`{"Parameters":{"STAGE":"dev","DEBUG":true},"hello":{"TABLE":"t1","PORT":8080,"EMPTY":null,"STAGE":"test"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env, err := lambdarunner.LoadEnvFile(p)
	if err != nil {
		t.Fatal(err)
	}
	got := env.Apply(lambdarunner.FunctionConfig{Name: "hello", Environment: map[string]string{"OWN": "x", "TABLE": "t0"}}).Environment
	want := map[string]string{"OWN": "x", "TABLE": "t1", "PORT": "8080", "EMPTY": "", "STAGE": "test", "DEBUG": "true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := os.WriteFile(p, []byte(`{"hello":{"A":{"nested":1}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := lambdarunner.LoadEnvFile(p); err == nil || !strings.Contains(err.Error(), "hello.A") {
		t.Errorf("nested value: %v", err)
	}
	if _, err := lambdarunner.LoadEnvFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestReadPayload(t *testing.T) {
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(`{"from":"file"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for arg, want := range map[string]string{`{"a":1}`: `{"a":1}`, "@" + p: `{"from":"file"}`, "@-": "stdin"} {
		got, err := lambdarunner.ReadPayload(arg, strings.NewReader("stdin"))
		if err != nil || string(got) != want {
			t.Errorf("ReadPayload(%q) = %q, %v", arg, got, err)
		}
	}
}

func TestRegisterValidation(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	tests := []struct {
		name    string
		fc      lambdarunner.FunctionConfig
		wantErr string
	}{
		{"bad name", lambdarunner.FunctionConfig{Name: "a b", Runtime: "nodejs20.x"}, "invalid"},
		{"no runtime", lambdarunner.FunctionConfig{Name: "a"}, "no runtime"},
		{"no code", lambdarunner.FunctionConfig{Name: "a", Runtime: "nodejs20.x", Handler: "i.h"}, "code"},
		{"missing dir", lambdarunner.FunctionConfig{Name: "a", Runtime: "nodejs20.x", Handler: "i.h", CodeDir: "/does/not/exist"}, "does not exist"},
		{"no handler", lambdarunner.FunctionConfig{Name: "a", Runtime: "python3.12", CodeDir: "."}, "needs a handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := m.Register(tt.fc); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
	if err := m.RegisterHandler(lambdarunner.FunctionConfig{Name: "dup"}, func() {}); err != nil {
		t.Fatal(err)
	}
	if err := m.RegisterHandler(lambdarunner.FunctionConfig{Name: "dup"}, func() {}); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate: %v", err)
	}
	if got := m.Functions(); len(got) != 1 || got[0].Timeout != 3*time.Second || got[0].MemorySize != 128 {
		t.Errorf("Functions() = %+v", got)
	}
}
