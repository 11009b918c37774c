# The CRM's commands. `make help` lists them; `make run` and `make test` are the two a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
CRM := target/debug/crm
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: help run build frontend test test-rust test-postgres webhook-venv contract generators test-frontend e2e openapi fmt lint clean bench bench-sqlite bench-tools

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend: frontend/node_modules/.package-lock.json ## Install the web app's packages and build it into frontend/dist
	cd frontend && npm run build

build: ## Build the crm binary (debug; with the workspace's features, so the test builds are reused)
	$(CARGO) build --workspace --bins

run: frontend build ## Build everything and serve the CRM on SQLite at http://127.0.0.1:8080 with demo data
	$(CRM) seed --demo
	$(CRM) serve

test: ## Every check: format, lint, unit and HTTP tests on SQLite and PostgreSQL, OpenAPI drift, contract and client generators, front end, e2e
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(MAKE) test-rust
	$(MAKE) test-postgres
	$(MAKE) -j2 --output-sync=target contract generators
	$(MAKE) test-frontend
	$(MAKE) e2e

webhook-venv: ## The pinned Python `standardwebhooks` verifier the webhook tests' receiver uses (target/webhook-venv)
	bash scripts/webhook-venv.sh

test-rust: webhook-venv ## Unit tests and the HTTP suite on SQLite (includes the OpenAPI drift check)
	$(CARGO) test --workspace

test-postgres: webhook-venv ## The HTTP suite and migrations on PostgreSQL (CRM_TEST_POSTGRES_URL, default local)
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable at 127.0.0.1:5432; it is required for the tests" >&2; exit 1; }
	CRM_TEST_DATABASE=postgres CRM_TEST_POSTGRES_URL=$(POSTGRES_URL) $(CARGO) test --workspace --test api

contract: build ## Schemathesis against openapi/openapi.json on a live server: no 5xx, every status and body as documented
	bash scripts/contract.sh

generators: frontend/node_modules/.package-lock.json ## openapi-python-client and openapi-typescript make clients of openapi/openapi.json: no warning, skipped operation or dropped schema
	bash scripts/generators.sh

test-frontend: frontend/node_modules/.package-lock.json ## Front end: typed-client drift, type check, lint, unit tests, production build
	cd frontend && npm run check:api && npm run typecheck && npm run lint && npm test && npm run build

e2e: frontend build ## End-to-end flows in headless Chromium against the real server
	bash frontend/scripts/setup-chromium.sh
	cd frontend && npm run e2e

bench-tools:
	@command -v wrk >/dev/null || { echo "installing wrk (the load generator) from Debian"; apt-get update -qq && apt-get install -y wrk >/dev/null; }
	@command -v pgbench >/dev/null || { echo "pgbench (PostgreSQL client packages) is required for the database ceiling" >&2; exit 1; }
	$(CARGO) build --release -p crm-api -p crm-bench

bench: bench-tools ## Load 1 M customers into a scratch PostgreSQL database and measure; writes crates/bench/results/latest.md (BENCH_FLAGS=--scale 0.01 for a quick run)
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1; }
	target/release/crm-bench --backend postgres --postgres $(patsubst %/postgres,%,$(POSTGRES_URL)) $(BENCH_FLAGS)

bench-sqlite: bench-tools ## The same on SQLite at 100,000 customers; writes crates/bench/results/latest-sqlite.md
	target/release/crm-bench --backend sqlite $(BENCH_FLAGS)

openapi: ## Regenerate openapi/openapi.json and the web app's typed client
	$(CARGO) run -q -p crm-api -- openapi > openapi/openapi.json
	cd frontend && npm run gen:api

fmt: ## Format the Rust code
	$(CARGO) fmt --all

lint: ## Lint the Rust and TypeScript code
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd frontend && npm run lint

clean: ## Remove build output and the local database
	$(CARGO) clean
	rm -rf frontend/dist data
