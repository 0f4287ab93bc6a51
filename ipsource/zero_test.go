package ipsource

import (
	"testing"

	"github.com/ipallow/ipallow/internal/zerotest"
)

// TestZeroValues calls every exported method of every exported type of the
// package on its zero value: none panics.
func TestZeroValues(t *testing.T) {
	zerotest.CallAll(t, new(Error), new(ProxyError), new(ProxyHeader), new(ProxyOption), new(ProxyTLV))
}
