# The same commands as `run`, for teams used to `make configure ENV=prod`.
#   make configure ENV=prod      make deploy ENV=stg      make rollback ENV=stg [TO=20261124T061100Z]
#   make check ENV=prod          make hosts ENV=qa        make demo / make test
ENV ?= local
RUN := node apps/cli/bin/run.js
ARGS ?=

.PHONY: build configure deploy rollback check hosts demo test hosts-up hosts-down

build:
	npx nx run-many -t build --outputStyle=static

configure deploy: build
	$(RUN) $@ --env $(ENV) $(ARGS)

rollback: build
	$(RUN) rollback --env $(ENV) $(if $(TO),--to $(TO)) $(ARGS)

check: build
	$(RUN) configure --env $(ENV) --check --diff $(ARGS)

hosts: build
	$(RUN) hosts --env $(ENV)

hosts-up:
	npm run hosts:up -- --count $(or $(COUNT),3)

hosts-down:
	npm run hosts:down

demo:
	npm run demo

test:
	npm test
