//go:build linux

package runtimeapi

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcAttr starts the runtime in its own process group, so a kill reaches everything it
// spawned, and has the kernel kill it if the emulator dies.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killProcess kills the runtime's whole process group.
func killProcess(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL) // ESRCH once it is gone
	_ = p.Kill()
}

// maxRSSMB returns the peak RSS of an exited process from its rusage.
func maxRSSMB(ps *os.ProcessState) int {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int((ru.Maxrss + 1023) / 1024) // kilobytes on Linux
	}
	return 0
}
