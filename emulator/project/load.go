package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
	"github.com/apigw-local/apigw-local/emulator/project/sam"
	"github.com/apigw-local/apigw-local/emulator/project/sls"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Options configure loading a project.
type Options struct {
	// Dir is where to look for a project file; "" is the working directory.
	Dir string
	// Template is the project file; "" looks in Dir for template.yaml, template.yml,
	// template.json, serverless.yml and serverless.yaml, in that order.
	Template string
	// Overrides are --parameter-overrides (SAM and CloudFormation Parameters).
	Overrides map[string]string
	// EnvVars is --env-vars: function variables by logical id or name, and "Parameters" for
	// every function.
	EnvVars lambdarunner.EnvFile
	// Stage is --stage: the Serverless Framework's ${opt:stage}.
	Stage string
	// Region and AccountID are the emulator's.
	Region, AccountID string
	// CacheDir holds extracted zips and inline code; "" is the user cache directory.
	CacheDir string
	// LookupEnv reads the shell environment (${env:X}, and the variables sam local lets it
	// override); nil reads none.
	LookupEnv func(string) (string, bool)
	// IDSeed replaces the project's directory as what stable API ids derive from (tests).
	IDSeed string
}

// ErrNoProject says that the directory holds no project file.
var ErrNoProject = errors.New("no template.yaml, template.yml, template.json or serverless.yml here")

// projectFiles are the file names Find looks for, in order.
var projectFiles = []string{"template.yaml", "template.yml", "template.json", "serverless.yml", "serverless.yaml"}

// Find returns the project file in dir, or ErrNoProject.
func Find(dir string) (string, error) {
	for _, name := range projectFiles {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", ErrNoProject
}

// IsServerless reports whether a project file is a serverless.yml.
func IsServerless(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return strings.HasPrefix(base, "serverless.") && (strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".json"))
}

var stackNameRE = regexp.MustCompile(`[^a-zA-Z0-9-]+`)

// Load reads a project into a plan. It changes nothing: Apply does.
func Load(opts Options) (*Plan, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	path := opts.Template
	if path == "" {
		var err error
		if path, err = Find(dir); err != nil {
			return nil, err
		}
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		// --template DIR: the project in that folder.
		if path, err = Find(path); err != nil {
			return nil, fmt.Errorf("template %s: %w", opts.Template, err)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	plan := &Plan{Dir: filepath.Dir(abs), Template: abs, Notes: &Notes{}, Files: []string{abs}}
	plan.StackName = strings.Trim(stackNameRE.ReplaceAllString(filepath.Base(plan.Dir), "-"), "-")
	if plan.StackName == "" {
		plan.StackName = "apigw-local"
	}
	note := func(where, msg string) { plan.Notes.Add("intrinsic function", where, msg) }
	var t *cfn.Template
	if IsServerless(abs) {
		plan.Kind = KindServerless
		res, err := sls.Compile(abs, sls.Options{
			Stage: opts.Stage, Region: opts.Region, AccountID: opts.AccountID, LookupEnv: opts.LookupEnv,
			Note: plan.Notes.Add,
		})
		if err != nil {
			return nil, err
		}
		t, plan.StackName = res.Template, res.StackName
		plan.Files = append(plan.Files, res.Files...)
	} else {
		if t, err = cfn.ParseFile(abs); err != nil {
			return nil, err
		}
		plan.Kind = KindCFN
		if sam.IsSAM(t) {
			plan.Kind = KindSAM
		}
	}
	r, err := cfn.NewResolver(t, cfn.Options{
		Region: opts.Region, AccountID: opts.AccountID, StackName: plan.StackName,
		Overrides: opts.Overrides, Note: note,
	})
	if err != nil {
		return nil, err
	}
	if plan.Kind == KindSAM {
		if err := sam.Transform(t, sam.Options{Resolver: r, Note: plan.Notes.Add}); err != nil {
			return nil, err
		}
	}
	s, err := newStack(t, r, &opts, plan)
	if err != nil {
		return nil, err
	}
	if err := s.build(); err != nil {
		return nil, err
	}
	for _, f := range t.Includes {
		if !slices.Contains(plan.Files, f) {
			plan.Files = append(plan.Files, f)
		}
	}
	return plan, nil
}
