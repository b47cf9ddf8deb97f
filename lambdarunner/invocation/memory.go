package invocation

import (
	"bytes"
	"os"
	"strconv"
)

// PeakRSSMB returns the peak resident set size (VmHWM) of process pid in megabytes, rounded up, or
// 0 when it cannot be read (the process is gone, or the system has no /proc).
func PeakRSSMB(pid int) int {
	var buf [2048]byte
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	n, _ := f.Read(buf[:])
	_ = f.Close()
	return parseVmHWM(buf[:n])
}

func parseVmHWM(status []byte) int {
	i := bytes.Index(status, []byte("VmHWM:"))
	if i < 0 {
		return 0
	}
	rest := status[i+len("VmHWM:"):]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	rest = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte("kB")))
	kb, err := strconv.Atoi(string(rest))
	if err != nil {
		return 0
	}
	return (kb + 1023) / 1024
}
