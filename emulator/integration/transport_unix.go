//go:build unix

package integration

import (
	"errors"
	"net"
	"syscall"
)

// alive reports whether a pooled connection is still open: a non-blocking peek finds
// neither an end of stream (the server closed it while it was idle) nor stray data.
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	open := true
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		// Nothing to read yet is the only good answer: data or an end of stream is not.
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK)
		return true // never wait for readiness
	})
	return err == nil && open
}
