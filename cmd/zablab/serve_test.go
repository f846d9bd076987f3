package main

import (
	"strings"
	"testing"
)

// The security flags of `zablab serve` refuse bad values before anything starts.
func TestServeSecurityFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--embed-origins", "javascript:alert(1)"}, "--embed-origins"},
		{[]string{"serve", "--embed-origins", "https://a.example; script-src *"}, "--embed-origins"},
		{[]string{"serve", "--rooms-per-client", "0"}, "--rooms-per-client"},
		{[]string{"serve", "--rooms-per-client", "-2"}, "--rooms-per-client"},
		{[]string{"serve", "--zk-addr", "teacher.example"}, "--zk-addr"},
		{[]string{"serve", "--zk-addr", "127.0.0.1:2181"}, "--zk-addr"},
	} {
		code, _, errOut := runCLI(c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, errOut)
		}
	}
	if got := splitList(" a.example, ,b.example "); strings.Join(got, "|") != "a.example|b.example" {
		t.Fatalf("splitList: %q", got)
	}
}
