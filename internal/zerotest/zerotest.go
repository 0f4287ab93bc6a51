// Package zerotest calls every exported method of zero values, for the
// tests that check that every zero value of ipallow is safe to use.
package zerotest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// CallAll calls every exported method of each value (a pointer to a zero
// value, or a zero value) with harmless arguments and fails t for each
// call that panics. Arguments are a cancelled context, io.Discard, an empty
// reader, a GET request and a response recorder, a valid address, a
// non-empty string, and the zero value of every other type.
func CallAll(t *testing.T, values ...any) {
	t.Helper()
	for _, v := range values {
		rv := reflect.ValueOf(v)
		for i := 0; i < rv.NumMethod(); i++ {
			m := rv.Type().Method(i)
			if !m.IsExported() {
				continue
			}
			name := rv.Type().String() + "." + m.Name
			args := make([]reflect.Value, m.Type.NumIn()-1)
			for j := range args {
				args[j] = arg(m.Type.In(j + 1))
			}
			if m.Type.IsVariadic() {
				args = args[:len(args)-1]
			}
			call(t, name, rv.Method(i), args)
		}
	}
}

func call(t *testing.T, name string, f reflect.Value, args []reflect.Value) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s on a zero value panics: %v", name, r)
		}
	}()
	f.Call(args)
}

var (
	ctxType     = reflect.TypeFor[context.Context]()
	writerType  = reflect.TypeFor[io.Writer]()
	readerType  = reflect.TypeFor[io.Reader]()
	requestType = reflect.TypeFor[*http.Request]()
	respType    = reflect.TypeFor[http.ResponseWriter]()
	addrType    = reflect.TypeFor[netip.Addr]()
)

func arg(t reflect.Type) reflect.Value {
	switch t {
	case ctxType:
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return reflect.ValueOf(ctx)
	case writerType:
		return reflect.ValueOf(io.Discard)
	case readerType:
		return reflect.ValueOf(strings.NewReader(""))
	case requestType:
		return reflect.ValueOf(httptest.NewRequest("GET", "/", nil))
	case respType:
		return reflect.ValueOf(httptest.NewRecorder())
	case addrType:
		return reflect.ValueOf(netip.MustParseAddr("192.0.2.1"))
	}
	if t.Kind() == reflect.String {
		return reflect.ValueOf("x").Convert(t)
	}
	return reflect.Zero(t)
}
