# whatworks — plain Makefile. Targets:
#   make              build the library, the CLI and the tests into build/
#   make demo         install missing packages, build, import the example pilots, query truancy
#   make check        install missing packages, build, run every test tier that needs no services
#   make check-asan   the same tests built with ASan + UBSan (no recover) into build-asan/
#   make install PREFIX=/usr/local DESTDIR=   binary, libraries, header, pkg-config file
#   make format       clang-format every C file;  make lint   cppcheck
#   make bench        benchmarks (bench/README.md)

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
SHARED_DATA ?= $(abspath ../shared/data)

PKGS      := sqlite3 libxml-2.0 libpcre2-8 gsl jansson nettle libzip
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libcsv ships no pkg-config file in Debian; fall back to plain -lcsv.
CSV_LIBS   = $(shell pkg-config --libs libcsv 2>/dev/null || echo -lcsv)
TEST_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
           -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
             -fPIC -fvisibility=hidden -Iinclude $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LIBS     = $(PKG_LIBS) $(CSV_LIBS) -lm

LIB_DIRS := util evidence importers repo queries
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/gen/embedded.o
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRC))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
HEADERS  := $(wildcard include/*.h) $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.h))

# Data compiled into the library, so an installed binary needs no data files.
EMBEDDED := data/schema/submission-1.xsd data/issues.tsv data/variants.tsv data/deflators.csv \
            data/discount_schedules.csv data/placeholders.tsv data/direction.tsv

SOVERSION := 0
LIBA  := $(BUILD)/libwhatworks.a
LIBSO := $(BUILD)/libwhatworks.so.$(SOVERSION)
BIN   := $(BUILD)/whatworks

.PHONY: all deps demo check check-asan test install format lint clean headertest installtest sharedtest

all: $(BIN) $(LIBA) $(LIBSO) $(TEST_BIN)

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c $(HEADERS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/gen/embedded.c: $(EMBEDDED) scripts/embed.sh | $(BUILD)
	@mkdir -p $(dir $@)
	scripts/embed.sh $(EMBEDDED) > $@

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libwhatworks.so.$(SOVERSION) -o $@ $^ $(LIBS)

$(BIN): $(CLI_OBJ) $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LIBS)

$(BUILD)/tests/%: tests/%.c tests/helpers.h tests/record_copy.h tests/csv_read.h $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBA) $(LIBS) $(TEST_LIBS)

$(BUILD):
	@mkdir -p $(BUILD)

demo: deps
	$(MAKE) $(BIN)
	rm -f whatworks.db whatworks.db-wal whatworks.db-shm
	$(BIN) --db whatworks.db init
	$(BIN) --db whatworks.db import data/examples
	$(BIN) --db whatworks.db query truancy --format table

# The test tiers that need no services: unit tests per module, the CLI
# end-to-end tests, the header test. Each test binary runs even if an
# earlier one failed; the target fails if any did.
# The install test links the installed shared library with no sanitizer
# runtime, so the sanitizer tier leaves it out.
INSTALLTEST ?= installtest
test: $(BIN) $(TEST_BIN) headertest sharedtest $(INSTALLTEST)
	@failed=0; \
	for t in $(TEST_BIN); do \
	    echo "== $$t"; \
	    WW_BIN=$(abspath $(BIN)) WW_TOP=$(CURDIR) WW_SHARED_DATA=$(SHARED_DATA) $$t || failed=1; \
	done; \
	if [ $$failed = 0 ]; then echo "all test suites passed"; else echo "some tests FAILED"; fi; \
	exit $$failed

check: deps
	$(MAKE) test

check-asan: deps
	$(MAKE) test BUILD=build-asan INSTALLTEST= \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# `make install` into a scratch DESTDIR, then a C program links the installed
# library through the installed pkg-config file and opens a database.
installtest: $(BIN) $(LIBA) $(LIBSO)
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	$(MAKE) -s install PREFIX=/usr DESTDIR="$$d" >/dev/null && \
	printf '#include <whatworks.h>\nint main(void) { ww_db *db = 0; int rc = ww_db_open(&db, "%s/t.db", WW_DB_CREATE);\n ww_db_close(db); return rc != 0 || ww_db_schema_version_supported() < 1; }\n' "$$d" > "$$d/use.c" && \
	$(CC) -I"$$d/usr/include" "$$d/use.c" -o "$$d/use" $$(PKG_CONFIG_SYSROOT_DIR="$$d" PKG_CONFIG_LIBDIR="$$d/usr/lib/pkgconfig" pkg-config --libs whatworks) && \
	LD_LIBRARY_PATH="$$d/usr/lib" "$$d/use" && echo "installtest: ok"

# The CLI linked against the shared library, not the archive, and with none
# of the library's dependencies: it links only if cli/ uses nothing but the
# API whatworks.h exports. It prints its version, and `meta` prints the same
# bytes as the static binary.
SHARED_BIN := $(BUILD)/whatworks-shared
$(SHARED_BIN): $(CLI_OBJ) $(LIBSO)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIBSO) -lm

sharedtest: $(SHARED_BIN) $(BIN)
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	readelf -d $(SHARED_BIN) | grep -q 'NEEDED.*libwhatworks\.so\.$(SOVERSION)' && \
	LD_LIBRARY_PATH=$(BUILD) $(SHARED_BIN) --version | grep -q '^whatworks $(shell sed -n 's/^#define WW_VERSION "\(.*\)"/\1/p' include/whatworks.h)$$' && \
	LD_LIBRARY_PATH=$(BUILD) $(SHARED_BIN) meta --input tests/fixtures/meta/fleiss1993_aspirin.csv \
	    --measure OR --method MH --format json > "$$d/shared.json" && \
	$(BIN) meta --input tests/fixtures/meta/fleiss1993_aspirin.csv --measure OR --method MH \
	    --format json > "$$d/static.json" && \
	cmp -s "$$d/shared.json" "$$d/static.json" && grep -q '"schema": "whatworks/meta/1"' "$$d/shared.json" && \
	echo "sharedtest: ok"

# Each public header compiles on its own, pedantically.
headertest:
	@for h in include/*.h; do \
	    printf '#include "%s"\nint main(void) { return 0; }\n' "$$(basename $$h)" | \
	    $(CC) -std=c11 -pedantic -Wall -Wextra -Werror -Iinclude -x c -o /dev/null - || exit 1; \
	done; echo "headertest: ok"

install: $(BIN) $(LIBA) $(LIBSO)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/whatworks
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libwhatworks.a
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libwhatworks.so.$(SOVERSION)
	ln -sf libwhatworks.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libwhatworks.so
	install -m 644 include/whatworks.h $(DESTDIR)$(PREFIX)/include/whatworks.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define WW_VERSION "\(.*\)"/\1/p' include/whatworks.h)|g' \
	    -e 's|@PRIVATE_REQUIRES@|$(PKGS)|g' whatworks.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/whatworks.pc

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -Iinclude \
	    $(LIB_DIRS) cli

clean:
	rm -rf build build-asan

# ---- benchmarks (bench/README.md) ----------------------------------------
# `make bench [SCALE=tiny|small|medium|full]` generates the synthetic corpus
# (cached in $(BUILD)/bench/corpus-SCALE), runs every benchmark several times
# and prints one table of medians, peak memory and ratios to references
# measured in the same run. Benchmarks measure; no test times anything.

SCALE ?= small
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: bench bench-programs

$(BUILD)/bench/%: bench/%.c $(LIBA) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) $(LIBS)

bench-programs: $(BENCH_BIN)

bench: all bench-programs
	BUILD=$(BUILD) SCALE=$(SCALE) bench/run.sh

# ---- reliability tiers: fuzzing, fault injection, crash safety ------------
# docs/reliability.md says what each tier proves and how long it takes.
.PHONY: fuzz fuzz-build check-valgrind check-crash check-faults clean-reliability

# Fault injection. The test wraps malloc and friends at link time
# (-Wl,--wrap), so it has its own rule and lives outside the tests/test_*.c
# glob; `make test` runs it with the others through TEST_BIN.
FAULTS_BIN  := $(BUILD)/tests/test_faults
FAULTS_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup,--wrap=free \
               -Wl,--wrap=xmlSchemaNewValidCtxt,--wrap=xmlSchemaValidateDoc,--wrap=xmlSchemaFreeValidCtxt
TEST_BIN    += $(FAULTS_BIN)

$(FAULTS_BIN): tests/faults/test_faults.c tests/faults/vfs.h tests/helpers.h $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBA) $(LIBS) $(TEST_LIBS) $(FAULTS_WRAP)

all: $(FAULTS_BIN)
test: $(FAULTS_BIN)
$(BUILD)/tests/test_crash: tests/faults/vfs.h

# Every n of every fault loop (make check samples them).
check-faults: $(FAULTS_BIN)
	WW_FAULT_STRIDE=1 WW_TOP=$(CURDIR) $(FAULTS_BIN)

# The kill loop, long: every write of an import, and many SIGKILLs of the
# command at random points.
CRASH_RUNS ?= 1000
check-crash: $(BIN) $(BUILD)/tests/test_crash
	WW_CRASH_RUNS=$(CRASH_RUNS) WW_BIN=$(abspath $(BIN)) WW_TOP=$(CURDIR) \
	    WW_SHARED_DATA=$(SHARED_DATA) $(BUILD)/tests/test_crash

# Every unit test binary under valgrind: no invalid access, no definite leak
# (in the test process; the children tests fork are not followed). The fault
# loops are sampled more thinly, as valgrind is some 30 times slower.
VALGRIND := valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
            --child-silent-after-fork=yes
check-valgrind: $(BIN) $(TEST_BIN)
	@failed=0; \
	for t in $(TEST_BIN); do \
	    echo "== valgrind $$t"; \
	    WW_BIN=$(abspath $(BIN)) WW_TOP=$(CURDIR) WW_SHARED_DATA=$(SHARED_DATA) WW_FAULT_STRIDE=97 \
	        WW_CRASH_RUNS=5 WW_HOSTILE_SECONDS=600 WW_UNDER_VALGRIND=1 $(VALGRIND) $$t || failed=1; \
	done; \
	if [ $$failed = 0 ]; then echo "valgrind: all test suites clean"; else echo "valgrind: FAILED"; fi; \
	exit $$failed

# Fuzzing with libFuzzer (clang): one harness per importer in the table of
# importers/importers.c, plus the CSV reader, the .xlsx reader, the
# statistics extractor, the query text and the business-case flows CSV. Each
# runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 10
FUZZ_BUILD   := build-fuzz
FUZZ_CC      := clang
FUZZ_CFLAGS  := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_LIB     := $(FUZZ_BUILD)/libwhatworks.a
FUZZ_IMPORTERS := $(shell sed -n 's/^ *&ww_importer_\([a-z0-9_]*\),.*/\1/p' importers/importers.c)
FUZZ_OTHERS  := query csv flows meta_csv xlsx $(if $(wildcard importers/extract.c),extract)
FUZZ_IMPORTER_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz/fuzz_%,$(FUZZ_IMPORTERS))
FUZZ_OTHER_BINS    := $(patsubst %,$(FUZZ_BUILD)/fuzz/fuzz_%,$(FUZZ_OTHERS))

# The library, instrumented, by the rules above (a make of its own).
.PHONY: fuzz-lib
fuzz-lib:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" $(FUZZ_LIB)

$(FUZZ_IMPORTER_BINS): $(FUZZ_BUILD)/fuzz/fuzz_%: fuzz/fuzz_importer.c fuzz-lib
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_CFLAGS) -DWW_FUZZ_IMPORTER=ww_importer_$* -o $@ $< \
	    $(FUZZ_LIB) $(LIBS) $(FUZZ_LDFLAGS)

$(FUZZ_OTHER_BINS): $(FUZZ_BUILD)/fuzz/%: fuzz/%.c fuzz-lib
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB) $(LIBS) $(FUZZ_LDFLAGS)

fuzz-build: $(FUZZ_IMPORTER_BINS) $(FUZZ_OTHER_BINS)

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BUILD) $(SHARED_DATA) $(FUZZ_IMPORTER_BINS) $(FUZZ_OTHER_BINS)

clean: clean-reliability
clean-reliability:
	rm -rf $(FUZZ_BUILD)
