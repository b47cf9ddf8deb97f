package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func needInterpreter(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed on this machine: the %s runtime cannot be tested", name, name)
	}
}

func TestFunctionFlagsAndInvoke(t *testing.T) {
	needInterpreter(t, "node")
	needInterpreter(t, "python3")
	dir, _ := filepath.Abs("testdata/functions")
	envFile := filepath.Join(t.TempDir(), "env.json")
	if err := os.WriteFile(envFile, []byte(`{"hellopy": {"COLOR": "green"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	e := start(t,
		"--function", "name=hellonode,runtime=nodejs20.x,handler=index.handler,code="+filepath.Join(dir, "hello-node"),
		"--function", "name=hellopy,runtime=python3.11,handler=app.handler,code="+filepath.Join(dir, "hello-py")+",timeout=5",
		"--env-file", envFile)

	c := lambda.NewFromConfig(e.awsConfig())
	for i := 1; i <= 2; i++ {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hellonode"), Payload: []byte(`{"name":"ada"}`)})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Hello, RequestID, Fn string
			Calls                int
		}
		if err := json.Unmarshal(out.Payload, &got); err != nil || got.Hello != "ada" || got.Calls != i || got.Fn != "hellonode" || got.RequestID == "" {
			t.Errorf("invoke %d: %s %v", i, out.Payload, err)
		}
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hellonode"), Payload: []byte(`{"fail":true}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorMessage":"asked to fail"`) {
		t.Errorf("failing invoke: %s %v %v", out.Payload, aws.ToString(out.FunctionError), err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown function: %v", err)
	}

	// The invoke command prints the payload and fails on a function error.
	cmd := exec.Command(binary, "invoke", "hellopy", "--endpoint", e.URL, "--payload", `{"name":"bob"}`)
	stdout, err := cmd.Output()
	if err != nil || !strings.Contains(string(stdout), `"hello": "bob"`) || !strings.Contains(string(stdout), `"color": "green"`) {
		t.Errorf("apigw-local invoke: %q %v", stdout, err)
	}
	cmd = exec.Command(binary, "invoke", "hellonode", "--endpoint", e.URL, "--payload", `{"fail":true}`)
	stdout, err = cmd.Output()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 || !strings.Contains(string(stdout), "asked to fail") {
		t.Errorf("apigw-local invoke of a failing function: %q %v", stdout, err)
	}
}

func TestFunctionFlagErrors(t *testing.T) {
	out, err := exec.Command(binary, "start", "--port", "0", "--function", "name=x,runtime=cobol9.x,handler=a,code=.").CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 || !strings.HasPrefix(string(out), "apigw-local: --function x:") {
		t.Errorf("unknown runtime: %q %v", out, err)
	}
}
