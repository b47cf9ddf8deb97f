package lambdarunner

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// ReadPayload interprets the --payload argument: inline JSON, "@file", or "@-" for standard input.
func ReadPayload(arg string, stdin io.Reader) ([]byte, error) {
	switch {
	case arg == "@-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading the payload from standard input: %w", err)
		}
		return b, nil
	case strings.HasPrefix(arg, "@"):
		b, err := os.ReadFile(arg[1:])
		if err != nil {
			return nil, fmt.Errorf("reading the payload: %w", err)
		}
		return b, nil
	}
	return []byte(arg), nil
}

// InvokeRemote calls the Invoke API of a running emulator at endpoint (e.g.
// http://127.0.0.1:4566), writes the response payload and a newline to stdout and the decoded log
// tail to stderr (either may be nil). functionError reports X-Amz-Function-Error, for a non-zero
// exit status; err reports a request the Lambda API rejected or that failed.
func InvokeRemote(ctx context.Context, endpoint, name string, payload []byte, stdout, stderr io.Writer) (functionError bool, err error) {
	u := strings.TrimRight(endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(name) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return false, fmt.Errorf("invoke %s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Log-Type", "Tail")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("invoke %s: %w; is apigw-local running at %s?", name, err, endpoint)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, fmt.Errorf("invoke %s: reading the response: %w", name, err)
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Message  string `json:"message"`
			Message2 string `json:"Message"`
		}
		_ = json.Unmarshal(body, &eb) // a non-JSON body is reported raw below
		msg := eb.Message + eb.Message2
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		return false, fmt.Errorf("invoke %s: %s (HTTP %d): %s", name, resp.Header.Get("X-Amzn-ErrorType"), resp.StatusCode, msg)
	}
	if stderr != nil {
		if tail, err := base64.StdEncoding.DecodeString(resp.Header.Get("X-Amz-Log-Result")); err == nil && len(tail) > 0 {
			_, _ = stderr.Write(tail) // best effort: logs are informational
		}
	}
	if stdout != nil {
		if _, err := stdout.Write(append(body, '\n')); err != nil {
			return false, fmt.Errorf("invoke %s: writing the payload: %w", name, err)
		}
	}
	return resp.Header.Get("X-Amz-Function-Error") != "", nil
}
