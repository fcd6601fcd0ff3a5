package cawire

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSerialNullUntilIssued: the server writes "serial": null for a request
// not issued yet and the hex serial once issued; the client reads both.
func TestSerialNullUntilIssued(t *testing.T) {
	issued := "4D2A"
	tests := []struct {
		name     string
		serial   *string
		wantJSON string
		want     string
	}{
		{"pending", nil, `"serial":null`, ""},
		{"issued", &issued, `"serial":"4D2A"`, "4D2A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(Request{ID: "r1", Status: "pending", Serial: tt.serial, Findings: []Finding{}})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tt.wantJSON) {
				t.Errorf("JSON %s, want it to hold %s", data, tt.wantJSON)
			}
			var back Request
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if got := back.IssuedSerial(); got != tt.want {
				t.Errorf("IssuedSerial() = %q, want %q", got, tt.want)
			}
		})
	}
}
