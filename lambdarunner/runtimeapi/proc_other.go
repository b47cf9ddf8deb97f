//go:build !linux

package runtimeapi

import (
	"os"
	"os/exec"
)

func setProcAttr(*exec.Cmd) {}

func killProcess(p *os.Process) { _ = p.Kill() }

func maxRSSMB(*os.ProcessState) int { return 0 }
