package lambdarunner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

type greeting struct {
	Name string `json:"name"`
}

func TestInProcessHandlers(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	handlers := map[string]any{
		"noargs":  func() {},
		"erronly": func() error { return errors.New("plain failure") },
		"event":   func(g greeting) (string, error) { return "hi " + g.Name, nil },
		"ctxevent": func(ctx context.Context, g greeting) (map[string]string, error) {
			lc, _ := lambdacontext.FromContext(ctx)
			return map[string]string{"id": lc.AwsRequestID, "arn": lc.InvokedFunctionArn}, nil
		},
		"panics": func(context.Context) (string, error) { panic("kaboom") },
		"slow": func(ctx context.Context) (string, error) {
			<-ctx.Done() // honours the deadline
			return "", ctx.Err()
		},
		"ignores": func() (string, error) { time.Sleep(2 * time.Second); return "late", nil },
	}
	for name, h := range handlers {
		fc := lambdarunner.FunctionConfig{Name: name}
		if name == "slow" || name == "ignores" {
			fc.Timeout = 100 * time.Millisecond
		}
		if err := m.RegisterHandler(fc, h); err != nil {
			t.Fatalf("RegisterHandler(%s): %v", name, err)
		}
	}
	if err := m.RegisterHandler(lambdarunner.FunctionConfig{Name: "bad"}, func(a, b, c int) {}); err == nil || !strings.Contains(err.Error(), "more than two arguments") {
		t.Errorf("invalid signature: %v", err)
	}

	tests := []struct {
		name, payload, wantPayload, wantType string
	}{
		{"noargs", `{}`, "null", ""},
		{"erronly", `{}`, "", "errorString"},
		{"event", `{"name":"Ada"}`, `"hi Ada"`, ""},
		{"event", `[1]`, "", "UnmarshalTypeError"},
		{"panics", `{}`, "", "string"},
		{"slow", `{}`, "", "Sandbox.Timedout"},
		{"ignores", `{}`, "", "Sandbox.Timedout"},
	}
	for _, tt := range tests {
		t.Run(tt.name+tt.payload, func(t *testing.T) {
			resp := invoke(t, m, tt.name, tt.payload)
			if tt.wantType != "" {
				if resp.Error == nil || resp.Error.ErrorType != tt.wantType {
					t.Errorf("payload %s, want errorType %s", resp.Payload, tt.wantType)
				}
				return
			}
			if resp.FunctionError != "" || strings.TrimSpace(string(resp.Payload)) != tt.wantPayload {
				t.Errorf("payload %s (%s), want %s", resp.Payload, resp.FunctionError, tt.wantPayload)
			}
		})
	}
	got := decode(t, invoke(t, m, "arn:aws:lambda:us-east-1:000000000000:function:ctxevent:v1", `{}`))
	if got["id"] == "" || got["arn"] != "arn:aws:lambda:us-east-1:000000000000:function:ctxevent:v1" {
		t.Errorf("lambda context: %v", got)
	}
	panicResp := invoke(t, m, "panics", `{}`)
	if panicResp.Error.ErrorMessage != "kaboom" || len(panicResp.Error.StackTrace) == 0 {
		t.Errorf("panic: %+v", panicResp.Error)
	}
	if !strings.Contains(string(panicResp.LogTail), "REPORT RequestId: "+panicResp.RequestID) {
		t.Errorf("tail: %s", panicResp.LogTail)
	}
}

func TestInProcessReservedConcurrency(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	release := make(chan struct{})
	entered := make(chan struct{})
	one := 1
	if err := m.RegisterHandler(lambdarunner.FunctionConfig{Name: "one", ReservedConcurrency: &one}, func() error {
		entered <- struct{}{}
		<-release
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := m.Invoke(context.Background(), &lambdarunner.InvokeRequest{FunctionName: "one"})
		done <- err
	}()
	<-entered
	_, err := m.Invoke(context.Background(), &lambdarunner.InvokeRequest{FunctionName: "one"})
	var ie *lambdarunner.InvokeError
	if !errors.As(err, &ie) || ie.Code != lambdarunner.ErrTooManyRequests {
		t.Errorf("second concurrent invocation: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestContextCancelStopsWaitingOnly(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("bg", nil))
	invoke(t, m, "bg", `{}`) // warm
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := m.Invoke(ctx, &lambdarunner.InvokeRequest{FunctionName: "bg", Payload: []byte(`{"action":"sleep","ms":300}`)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's error", err)
	}
	// The abandoned invocation finishes on its own and its environment returns to the pool.
	waitFor(t, "the abandoned invocation to finish", 5*time.Second, func() bool {
		s := m.PoolStats("bg")
		return s.Running == 0 && s.Idle == 1
	})
	decode(t, invoke(t, m, "bg", `{"action":"state"}`))
}
