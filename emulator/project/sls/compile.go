package sls

import (
	"errors"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// Options configure Compile.
type Options struct {
	Stage, Region string
	LookupEnv     func(string) (string, bool)
	Note          func(subject, where, effect string)
}

// Result is a compiled serverless.yml.
type Result struct {
	Template  *cfn.Template
	StackName string
	Files     []string
}

// Compile reads a serverless.yml into the CloudFormation the framework would deploy.
func Compile(path string, opts Options) (*Result, error) {
	return nil, errors.New("not yet")
}
