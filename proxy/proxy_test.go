package proxy

import (
	"net/http"
	"testing"
)

func TestParameters(t *testing.T) {
	got := parameters("a=1&b=2&a=3", "application/x-www-form-urlencoded; charset=utf-8", []byte("c=x+y&b=%2F"), false)
	want := map[string]string{"a": "1, 3", "b": "2, /", "c": "x y"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if p := parameters("", "application/x-www-form-urlencoded", []byte("a=1"), true); p != nil {
		t.Errorf("a cut body must not give parameters: %v", p)
	}
	if p := parameters("", "application/json", []byte("a=1"), false); p != nil {
		t.Errorf("JSON is no form: %v", p)
	}
}

func TestHeaderMapAndClass(t *testing.T) {
	h := http.Header{"Accept": {"a", "b"}, "X": {"1"}}
	if m := headerMap(h); m["Accept"] != "a, b" || m["X"] != "1" {
		t.Errorf("%v", m)
	}
}

func FuzzParameters(f *testing.F) {
	f.Add("a=1&b=%zz", "application/x-www-form-urlencoded", []byte("x=1&&=&y"))
	f.Fuzz(func(t *testing.T, q, ct string, body []byte) {
		for k := range parameters(q, ct, body, false) {
			_ = k
		}
	})
}
