# zablab — `make test` does everything CI needs from a clean clone.
GO ?= go

.PHONY: test fmt-check vet gotest build check-sweep bench fuzz

test: fmt-check vet gotest
	@echo "make test: all checks passed"

build:
	$(GO) build -o zablab ./cmd/zablab

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

gotest:
	$(GO) test -race -count=1 ./...

# Long runs, kept out of `make test`.
check-sweep:
	$(GO) run ./cmd/zablab check --runs 5000 --seed 1

bench:
	$(GO) run ./cmd/zablab bench
	$(GO) test -run '^$$' -bench . -benchmem ./engine/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzApply -fuzztime 5m ./engine/zkdb/
