# The two commands of a fresh machine: `make run` and `make test`.
GO        ?= go
BIN       := bin/codementor
DATA_DIR  ?= ./data
HTTP_ADDR ?= 127.0.0.1:8080

.PHONY: run test deps build vet clean

## run: install what is missing, build, and start everything on http://$(HTTP_ADDR)
run: deps build
	$(BIN) dev --http-addr $(HTTP_ADDR) --data-dir $(DATA_DIR)

## test: install what is missing, then vet and run every test with the race detector
test: deps vet
	$(GO) test -race -count=1 -timeout 12m ./...

deps:
	@./scripts/install-deps.sh

build:
	$(GO) build -o $(BIN) ./cmd/codementor

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
