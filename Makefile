# cansd: `make run` starts everything in the foreground, `make test` runs every test.
# Release objects go to build/rel, sanitized ones (what the tests run) to build/asan.

CC      ?= cc
PG_INC  := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
CFLAGS_COMMON := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-D_GNU_SOURCE -I. -I$(PG_INC) -g
LIBS    := -lfcgi -ljwt -lssl -lcrypto -ljansson -lpq -lm
TEST_LIBS := -lcmocka -lcurl

SRC     := $(wildcard core/*.c auth/*.c fcgi/*.c handlers/*.c cmd/*.c)
LIB_SRC := $(filter-out cmd/%.c,$(SRC))
CMD_SRC := $(wildcard cmd/*.c)
HDR     := $(wildcard core/*.h auth/*.h fcgi/*.h handlers/*.h cmd/*.h)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
TEST_SUPPORT := $(wildcard tests/support/*.c)

REL_DIR  := build/rel
ASAN_DIR := build/asan
REL_CFLAGS  := $(CFLAGS_COMMON) -O2
ASAN_CFLAGS := $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined

REL_OBJ  := $(LIB_SRC:%.c=$(REL_DIR)/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(ASAN_DIR)/%.o)

.PHONY: all build deps run stop test test-built unit lint format cppcheck bench bench-compare clean audit-verify purge

all: build
build: $(REL_DIR)/cansd

deps:
	@scripts/install-deps.sh

$(REL_DIR)/%.o: %.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -c $< -o $@

$(ASAN_DIR)/%.o: %.c $(HDR) $(wildcard tests/support/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c $< -o $@

# sql/queries.sql is embedded with .incbin, so the binary depends on it.
$(REL_DIR)/core/db_statements.o $(ASAN_DIR)/core/db_statements.o: sql/queries.sql

$(REL_DIR)/cansd: $(REL_OBJ) $(CMD_SRC:%.c=$(REL_DIR)/%.o)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

$(ASAN_DIR)/cansd: $(ASAN_OBJ) $(CMD_SRC:%.c=$(ASAN_DIR)/%.o)
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS)

$(ASAN_DIR)/tests/%: tests/%.c $(ASAN_OBJ) $(TEST_SUPPORT:%.c=$(ASAN_DIR)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

UNIT_BIN  := $(UNIT_SRC:tests/%.c=$(ASAN_DIR)/tests/%)
INTEG_BIN := $(INTEG_SRC:tests/%.c=$(ASAN_DIR)/tests/%)

# deps first, then the build in a second make: under -j, prerequisites of one
# rule build in parallel, so the compiler would otherwise race the install of
# the headers it needs on a fresh machine.
run: deps
	@$(MAKE) --no-print-directory build
	@scripts/run.sh

# Stops the `make run` of this checkout (./var, or CANSD_VAR_DIR's) from
# another terminal, as Ctrl-C would: nginx, the pool, PostgreSQL; data kept.
stop:
	@bash -c 'set -euo pipefail; . scripts/lib.sh; run_stop'

test: deps
	@$(MAKE) --no-print-directory test-built

test-built: $(ASAN_DIR)/cansd $(UNIT_BIN) $(INTEG_BIN)
	@scripts/test.sh $(UNIT_BIN) -- $(INTEG_BIN)

unit: $(UNIT_BIN)
	@scripts/test.sh $(UNIT_BIN) --

lint:
	@scripts/lint-openapi.sh

format:
	clang-format -i $(SRC) $(HDR) $(UNIT_SRC) $(INTEG_SRC) $(TEST_SUPPORT)

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -I. $(SRC)

# Walks the audit trail's hash chain in ./var's database (or CANSD_VAR_DIR's);
# PostgreSQL must be running (make run). Non-zero when an event was tampered with.
audit-verify: build
	@bash -c 'set -euo pipefail; . scripts/lib.sh; audit_verify'

bench: deps
	@$(MAKE) --no-print-directory build
	@bench/run.sh

# make bench-compare BASE=<commit>: make bench of that commit, then of this
# tree, and both side by side in bench/COMPARE.md.
bench-compare: deps
	@bench/compare.sh $(BASE)

clean:
	rm -rf build

# Deletes what make run keeps for this checkout (database, signing key, logs),
# wherever it lives (./var, or /var/lib/cansd/<hash> that ./var links to).
purge:
	@scripts/purge.sh
.SECONDARY:
