# startupgraph: the everyday commands. `make run` and `make test` are the two
# the README promises work on a fresh clone.
GO ?= go

.PHONY: run test generate lint bench build playground-assets e2e scale-test

## run: the server with demo data on a project-local PostgreSQL (unless DATABASE_URL is set)
run: build
	./bin/startupgraph dev

## test: the whole suite against real PostgreSQL (TEST_DATABASE_URL, or a throwaway cluster per package), then the fuzz target for FUZZTIME
# A count, not a duration: Go's fuzz coordinator can fail a duration-bounded
# run with a bare "context deadline exceeded" as the time runs out while a
# worker is mid-call (golang/go#75804, unfixed in go1.26); a count has no
# deadline to race. 60,000 runs take 20-60 s on the 2-core machines.
FUZZTIME ?= 60000x
test:
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) test -run '^$$' -fuzz '^FuzzGraphQL$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./internal/server/

## generate: regenerate gqlgen code after editing schema.graphqls
generate:
	$(GO) generate ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks of the handler stack, then the HTTP benchmark (bench/README.md; BENCH_FLAGS=-quick for a short run)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	$(GO) run ./cmd/startupgraph-bench $(BENCH_FLAGS)

## scale-test: a primary, a streaming replica and two server processes on 127.0.0.1; PASS/FAIL per promise of the README's "Several processes and read replicas" (10-15 s, up to a minute more to compile)
scale-test:
	bash scripts/scale-test.sh

## build: a binary in bin/
build:
	$(GO) build -o bin/startupgraph ./cmd/startupgraph

## playground-assets: refresh the embedded GraphiQL assets from npm (pinned versions)
playground-assets:
	bash scripts/playground-assets.sh

## e2e: the playground in headless Chromium against a running dev server (installs chromium and playwright-core when missing)
e2e:
	bash e2e/run.sh
