# The two commands of a fresh machine: `make run` and `make test`.
GO        ?= go
BIN       := bin/codementor
HTTP_ADDR ?= 127.0.0.1:8080
# BROKERS: run against a Kafka cluster (e.g. `make kafka-up`, then
# `make run BROKERS=127.0.0.1:9092`) instead of the embedded broker. Its local
# table caches then live in their own data dir: a cache of one cluster's
# tables is wrong for another.
BROKERS   ?=
DATA_DIR  ?= $(if $(BROKERS),./data-kafka,./data)
# The throwaway Apache Kafka that `make test` runs the system suite on, apart
# from the one `make kafka-up` starts, so that both may run at once.
TEST_KAFKA := KAFKA_DIR=$(CURDIR)/.kafka/test KAFKA_PORT=19092

.PHONY: run test compose-check test-embedded test-kafka kafka-up kafka-down deps build vet clean

## run: install what is missing, build, and start everything on http://$(HTTP_ADDR)
run: deps build
	$(BIN) dev --http-addr $(HTTP_ADDR) --data-dir $(DATA_DIR) $(if $(BROKERS),--brokers $(BROKERS))

## test: install what is missing, vet, check the compose file, run every test
## with the race detector on the embedded broker, then the system suite again
## on Apache Kafka
test: deps vet compose-check test-embedded test-kafka

compose-check:
	./scripts/check-compose.sh

test-embedded:
	$(GO) test -race -count=1 -timeout 12m ./...

# CODEMENTOR_TEST_REQUIRE_KAFKA turns the suite's "no Kafka cluster" skip
# into a failure: this run cannot pass without having used the broker.
test-kafka:
	$(TEST_KAFKA) ./scripts/kafka.sh run sh -c \
	  'CODEMENTOR_TEST_BROKERS=$$KAFKA_BROKERS CODEMENTOR_TEST_REQUIRE_KAFKA=1 $(GO) test -race -count=1 -timeout 12m ./systemtest/'

## kafka-up: start Apache Kafka (single node, KRaft) on 127.0.0.1:9092; data and log in .kafka/dev
kafka-up: deps
	./scripts/kafka.sh up

## kafka-down: stop it (its data stays for the next kafka-up)
kafka-down:
	./scripts/kafka.sh down

deps:
	@./scripts/install-deps.sh

build:
	$(GO) build -o $(BIN) ./cmd/codementor

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
