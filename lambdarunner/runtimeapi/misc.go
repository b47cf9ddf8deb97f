package runtimeapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
)

// hostPath is the PATH environments get: the emulator's, so node, python and what handlers spawn
// resolve as they do in the user's shell.
func hostPath() string {
	if p := os.Getenv("PATH"); p != "" {
		return p
	}
	return "/usr/local/bin:/usr/bin:/bin"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// errorMessage extracts errorMessage from an error payload, or returns the payload.
func errorMessage(payload []byte) string {
	var p struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(payload, &p) != nil || p.ErrorMessage == "" {
		return string(payload)
	}
	return p.ErrorMessage + "\n" + p.ErrorType
}
