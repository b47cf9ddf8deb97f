# apigw-local — the two commands a fresh clone needs:
#   make run    start the emulator on http://127.0.0.1:4566
#   make test   vet and run every test (unit, fuzz seeds, end-to-end) with the race detector

GO      ?= go
BIN     := bin/apigw-local
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run build test bench bench-vtl fuzz clean

run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/apigw-local start

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/apigw-local

test:
	$(GO) vet ./...
	$(GO) test -race -timeout 20m ./...

# End-to-end load against the built binary and a bare net/http server in the same run,
# then the mapping-template engine against velocityjs (npm) in the same run.
bench: build
	$(GO) run ./e2e/loadgen -binary $(BIN)
	$(MAKE) bench-vtl

# The VTL engine against velocityjs rendering AWS's passthrough template (needs node and npm).
bench-vtl:
	vtl/bench/run.sh

# Short fuzzing sessions of every fuzz target (found inputs land in testdata/fuzz).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf bin
