//go:build unix

package wire

import (
	"crypto/tls"
	"net"
	"syscall"
)

// stillOpen tells whether the server has left an idle connection alone: a
// closed connection reads as end of file, and one with bytes waiting (a TLS
// close alert, say) has nothing more to give either. One non-blocking peek,
// before a request is written, so that a connection the server closed while
// idle costs nothing but a new one.
func stillOpen(c net.Conn) bool {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		_, _, perr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = perr == syscall.EAGAIN
		return true
	})
	return err == nil && open
}
