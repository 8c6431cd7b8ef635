//go:build !unix

package wire

import "net"

// stillOpen cannot peek here; a closed connection shows as a failed call.
func stillOpen(net.Conn) bool { return true }
