# zablab — `make test` does everything CI needs from a clean clone: it installs what it needs
# (npm packages; Chromium and ZooKeeper's zkCli.sh through apt-get when missing and root),
# type-checks the front end, checks that generated and built files are fresh, vets, runs
# `go test -race` and the browser tests.
GO ?= go
NPM ?= npm
SHELL := /bin/bash

.PHONY: test test-clients client-deps deps apt-deps npm-deps fmt-check typecheck render-check fresh vet gotest e2e build bundle templ catalogue perf-web bench-web \
	check-sweep bench bench-zk fuzz golden

test: deps fmt-check typecheck render-check fresh vet gotest e2e
	@echo "make test: all checks passed"

deps: apt-deps npm-deps

# System packages: Chromium for the browser tests, and the real ZooKeeper clients (below).
apt-deps:
	@need=""; \
	[ -x /usr/bin/chromium ] || need="$$need chromium fonts-liberation"; \
	$(CLIENT_NEEDS); \
	$(APT_INSTALL)

# Installs the packages named in $$need through apt-get when root (else says what is skipped).
APT_INSTALL = if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$need"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$need) >/tmp/zablab-apt.log 2>&1 \
	      || { tail -20 /tmp/zablab-apt.log; echo "apt-get failed; tests that need$$need will say they are skipped"; }; \
	  else echo "not root: cannot install$$need; tests that need them will say they are skipped"; fi; \
	fi

# The real ZooKeeper clients the tests drive: zookeeper (zkCli.sh), kazoo (Python; its own test
# suite needs pytest, mock and objgraph), ZooKeeper's C client (libzookeeper-mt-dev, with gcc)
# and Apache Curator 5.4 (its jars; Java comes with zookeeper). All from Debian; a test whose
# client is missing says it is skipped and why.
CLIENT_NEEDS = [ -x /usr/share/zookeeper/bin/zkCli.sh ] || need="$$need zookeeper"; \
	/usr/bin/python3 -c "import kazoo" 2>/dev/null || need="$$need python3-kazoo"; \
	/usr/bin/python3 -c "import pytest, mock, objgraph" 2>/dev/null || need="$$need python3-pytest python3-mock python3-objgraph"; \
	[ -f /usr/include/zookeeper/zookeeper.h ] || need="$$need libzookeeper-mt-dev"; \
	[ -f /usr/share/java/curator-recipes.jar ] || need="$$need libcurator-recipes-java libcurator-framework-java libcurator-client-java"; \
	command -v javac >/dev/null || need="$$need default-jdk-headless"; \
	command -v gcc >/dev/null || need="$$need gcc libc6-dev"

client-deps:
	@need=""; \
	$(CLIENT_NEEDS); \
	$(APT_INSTALL)

# Every real-client test (C client, Curator, kazoo, zkCli.sh, go-zookeeper and raw frames),
# and the clients' own suites with ZABLAB_CLIENT_SUITES=1 (kazoo's, web/kazoosuite_test.go;
# go-zookeeper's, web/gozksuite_test.go; `make test` runs a few seconds of kazoo's), with a
# table per client: run / passed / failed / skipped, and why each skip ("run" counts passed +
# failed). About five minutes on 2 cores once the packages are installed.
CLIENT_TESTS = ^(TestCClient|TestCurator|TestKazoo|TestZkCli|TestZK|TestRecipe|TestGoZKSuite)
test-clients: client-deps build
	@out=$$(mktemp); \
	ZABLAB_CLIENT_SUITES=1 $(GO) test -count=1 -timeout 20m -json -run '$(CLIENT_TESTS)' ./web/ >$$out; \
	$(GO) run ./web/testdata/clients/summary <$$out; rc=$$?; \
	if [ $$rc != 0 ]; then echo "failures: full output in $$out"; else rm -f $$out; fi; exit $$rc

npm-deps:
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then $(NPM) ci --no-audit --no-fund; fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

typecheck:
	npx tsc --noEmit -p .

# The page renders event sentences as Go does (samples written by TestTSSamples).
render-check:
	@npx esbuild web/ts/testdata/render-check.ts --bundle --platform=node --log-level=warning | node
	@npx esbuild web/ts/testdata/leader-check.ts --bundle --platform=node --log-level=warning | node

# Generated and built files must match their sources.
fresh:
	@tmp=$$(mktemp -d); \
	npx esbuild web/ts/main.ts --bundle --minify --format=iife --target=es2020 --outfile=$$tmp/app.js --log-level=warning; \
	if ! cmp -s $$tmp/app.js static/app.js; then echo "static/app.js is stale: run 'make bundle' and commit it"; rm -rf $$tmp; exit 1; fi; \
	rm -rf $$tmp; \
	cp -r web $$tmp-web; \
	$(GO) tool templ generate -path $$tmp-web >/dev/null 2>&1; \
	for f in $$(cd $$tmp-web && ls *_templ.go); do \
	  if ! cmp -s $$tmp-web/$$f web/$$f; then echo "web/$$f is stale: run 'make templ' and commit it"; rm -rf $$tmp-web; exit 1; fi; \
	done; \
	rm -rf $$tmp-web; \
	node -e 'const s=require("fs").readFileSync("static/app.css","utf8").replace(/\/\*[\s\S]*?\*\//g,""); let d=0; for (const c of s) { d += c==="{" ? 1 : c==="}" ? -1 : 0; if (d<0) break; } if (d!==0) { console.error("static/app.css: unbalanced braces (a merge left a block open?)"); process.exit(1); } if (/^(<<<<<<<|=======|>>>>>>>)/m.test(s)) { console.error("static/app.css: merge conflict markers"); process.exit(1); }' || exit 1; \
	echo "generated and built files are fresh"

vet:
	$(GO) vet ./...

gotest:
	$(GO) test -race -count=1 ./...

# Browser tests drive real timing in headless Chromium on a shared 2-core machine: a file
# that fails is run once more on its own, and fails the build if it fails again.
e2e: build
	@failed=""; \
	for f in web/e2e/*.test.mjs; do \
	  ZABLAB_BIN=$(CURDIR)/zablab node --test $$f || failed="$$failed $$f"; \
	done; \
	for f in $$failed; do \
	  echo "retrying $$f once"; \
	  ZABLAB_BIN=$(CURDIR)/zablab node --test $$f || exit 1; \
	done

build:
	$(GO) build -o zablab ./cmd/zablab

bundle:
	npx esbuild web/ts/main.ts --bundle --minify --format=iife --target=es2020 --outfile=static/app.js

templ:
	$(GO) tool templ generate -path web

# Pinned traces: the event logs of a dozen fixed runs and every lesson's timeline in both
# languages. Rewrite them only for an intended change, and say why in the commit.
golden:
	$(GO) test -count=1 -run 'Golden' ./engine/ ./lessons/ -args -rewrite
	$(GO) test -count=1 -run 'TestTSSamples' ./web/ -args -rewrite

# web/ts/catalogue.gen.ts from the reason catalogue (engine/reason); `go test` fails when stale.
catalogue:
	$(GO) test ./engine/reason -run TestCatalogueTS -count=1 -args -rewrite

# Long runs, kept out of `make test`.
check-sweep:
	$(GO) run ./cmd/zablab check --runs 5000 --seed 1

bench:
	$(GO) run ./cmd/zablab bench
	$(GO) test -run '^$$' -bench . -benchmem ./engine/... ./cmd/zablab/enginebench/

bench-zk:
	$(GO) run ./cmd/zablab bench zk
	servers=$$(cmd/zablab/scripts/zk-ensemble.sh start) && \
	  $(GO) run ./cmd/zablab bench zk --servers $$servers --label "ZooKeeper 3.8 (Debian), 3 servers"; \
	cmd/zablab/scripts/zk-ensemble.sh stop

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzApply -fuzztime 3m ./engine/zkdb/
	$(GO) test -run '^$$' -fuzz FuzzDecodeRequest -fuzztime 3m ./web/zkwire/
	$(GO) test -run '^$$' -fuzz FuzzConnectRequest -fuzztime 1m ./web/zkwire/
	$(GO) test -run '^$$' -fuzz FuzzReadFrame -fuzztime 1m ./web/zkwire/

# Browser performance figures: frames/s animating 7 servers under load, time to interactive.
perf-web: build
	ZABLAB_BIN=$(CURDIR)/zablab node web/e2e/perf.mjs

bench-web:
	$(GO) run ./cmd/zablab bench web --viewers 200
