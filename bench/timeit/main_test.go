package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMeasure(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		minWall  time.Duration
		minCPU   time.Duration
		startErr bool
	}{
		{name: "sleep", args: []string{"sleep", "0.2"}, minWall: 200 * time.Millisecond},
		{name: "busy", args: []string{"sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"}, minCPU: time.Millisecond},
		{name: "exit code", args: []string{"sh", "-c", "exit 3"}, code: 3},
		{name: "killed", args: []string{"sh", "-c", "kill -9 $$"}, code: 1},
		{name: "missing", args: []string{filepath.Join(t.TempDir(), "nothing")}, startErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, code, err := measure(tt.args)
			if (err != nil) != tt.startErr {
				t.Fatalf("err = %v, want error %v", err, tt.startErr)
			}
			if err != nil {
				return
			}
			if code != tt.code {
				t.Errorf("code = %d, want %d", code, tt.code)
			}
			if m.Wall < tt.minWall || m.User+m.Sys < tt.minCPU {
				t.Errorf("measure %v: want wall >= %v, CPU >= %v", m, tt.minWall, tt.minCPU)
			}
			if m.MaxRSSKB <= 0 {
				t.Errorf("maxrss %d KB, want > 0", m.MaxRSSKB)
			}
		})
	}
}

func TestRunWritesOneLine(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m")
	if code := run([]string{"sh", "-c", "exit 4"}, out); code != 4 {
		t.Fatalf("exit code %d, want 4", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(string(b)); len(f) != 4 || !strings.HasSuffix(string(b), "\n") {
		t.Errorf("line %q: want 4 fields and a newline", b)
	}
	if code := run(nil, out); code != 2 {
		t.Errorf("no command: exit code %d, want 2", code)
	}
}
