# strdb: hand-written GNU Makefile.
#
#   make            build build/rel/strdb and build/rel/libstrdb.a
#   make demo       build, then load the demo database from data/demo and print it
#   make check      build with AddressSanitizer+UBSan, run every test; ends "N passed, N failed"
#   make bench      import benchmark (JSON on stdout); BENCH_N=... sets the profile count
#   make fuzz       libFuzzer harnesses (clang) in build/fuzz
#   make install    PREFIX=/usr/local
#   SANITIZE=address,undefined  any build with sanitizers; WERROR=1 turns warnings into errors
#   SDB_FORCE_SCALAR=1          no SIMD kernels (none yet: the switch is reserved for the index)

VERSION := 0.1.0
PREFIX  ?= /usr/local
CC      ?= cc
PKGS    := sqlite3 jansson libsodium libxml-2.0
# the binary only: libmicrohttpd with GnuTLS (strdb serve), pango and cairo (strdb report PDF,
# labels), libzint (no pkg-config file in Debian: -lzint) for the label barcodes
SRV_PKGS := libmicrohttpd pangocairo cairo-pdf cairo-svg
SANITIZE ?=
B       ?= build/rel

# Missing Debian packages are installed by `make deps`, which `make demo`, `make check`,
# `make bench` and `make fuzz` run first (before the flags below ask pkg-config); a plain
# `make` installs nothing. NO_DEPS=1 skips it.
ifeq ($(NO_DEPS),)
ifneq ($(filter deps demo check bench fuzz validate,$(MAKECMDGOALS)),)
DEPS_OK := $(shell sh scripts/deps.sh >&2 && echo ok)
ifneq ($(DEPS_OK),ok)
$(error scripts/deps.sh could not install the Debian packages strdb needs)
endif
endif
endif

WARN    := -Wall -Wextra -Wstrict-prototypes -Wformat=2 -Wshadow -Wno-unused-parameter
ifneq ($(WERROR),)
WARN    += -Werror
endif
OPT     := -O2 -g
AR      := ar
# Release builds use link-time optimisation: the readers' inner loops call
# small functions of other files (allele parsing, profile building).
ifeq ($(SANITIZE)$(NO_LTO),)
OPT     += -flto=auto
AR      := gcc-ar
endif
ifneq ($(SANITIZE),)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
endif
CFLAGS  ?=
# -fPIC: the same objects make libstrdb.a and libstrdb.so; -ffat-lto-objects: the archive
# holds machine code beside GCC's LTO data, so clang and gcc without LTO link it too.
CFLAGS  += -std=c17 -D_GNU_SOURCE $(OPT) $(if $(filter -flto%,$(OPT)),-ffat-lto-objects) -fPIC $(WARN) -Iinclude -DSDB_VERSION='"$(VERSION)"' \
           $(shell pkg-config --cflags $(PKGS) $(SRV_PKGS)) $(EXTRA_CFLAGS)
LDFLAGS += $(if $(SANITIZE),-fsanitize=$(SANITIZE)) $(filter -flto%,$(OPT))
LIBS    := $(shell pkg-config --libs $(PKGS)) -lpthread -lm
SRV_LIBS := $(shell pkg-config --libs $(SRV_PKGS)) -lzint
CMOCKA  := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

LIB_SRC := $(wildcard src/core/*.c src/io/*.c src/store/*.c src/stats/*.c src/sim/*.c src/index/*.c src/search/*.c src/governance/*.c \
                    src/familial/*.c src/lineage/*.c src/draw/*.c src/missing/*.c)
CLI_SRC := $(wildcard src/cli/*.c) $(wildcard src/server/*.c)
WEB_FILES := $(sort $(wildcard web/*.html web/*.js web/*.css web/*.json))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/loci_tsv.o $(B)/gen/nist1036_csv.o $(B)/gen/cmf_xsd.o
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o) $(B)/gen/web_assets.o
UNIT_SRC := $(wildcard test/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:test/unit/%.c=$(B)/test/%)
FUZZ_SRC := $(wildcard test/fuzz/fuzz_*.c)
REPLAY_BIN := $(FUZZ_SRC:test/fuzz/%.c=$(B)/test/replay_%)

.PHONY: all deps demo check test-run bench validate fuzz install uninstall man clean
.SUFFIXES:

all: $(B)/strdb $(B)/libstrdb.so

deps:
	@echo "[deps] the Debian packages strdb needs are installed"

# The shared library: soname libstrdb.so.0, only sdb_* exported (scripts/libstrdb.map).
SONAME := libstrdb.so.0
$(B)/libstrdb.so: $(LIB_OBJ) scripts/libstrdb.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=scripts/libstrdb.map $(LDFLAGS) \
	    -o $@ $(LIB_OBJ) $(LIBS)

$(B)/libstrdb.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/strdb: $(CLI_OBJ) $(B)/libstrdb.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libstrdb.a $(LIBS) $(SRV_LIBS)

# The web page (web/) is compiled into the binary.
$(B)/gen/web_assets.c: $(WEB_FILES) scripts/embed_web.sh
	@mkdir -p $(dir $@)
	sh scripts/embed_web.sh $(WEB_FILES) > $@

$(B)/gen/web_assets.o: $(B)/gen/web_assets.c src/server/server.h
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(B)/%.o: %.c $(wildcard include/strdb/*.h) $(wildcard src/*/*_internal.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc -c -o $@ $<

# The locus catalog is compiled into the library as a byte array.
$(B)/gen/loci_tsv.c: data/loci.tsv scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh sdb_loci_tsv $< > $@

$(B)/gen/loci_tsv.o: $(B)/gen/loci_tsv.c
	$(CC) $(CFLAGS) -c -o $@ $<

# The CODIS CMF schema (FBI, public domain) that CMF messages are validated against.
$(B)/gen/cmf_xsd.c: data/formats/CMF-2017.xsd scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh sdb_cmf_xsd $< > $@

$(B)/gen/cmf_xsd.o: $(B)/gen/cmf_xsd.c
	$(CC) $(CFLAGS) -c -o $@ $<

# The default founder frequencies of `strdb simulate` (NIST 1036, public domain).
$(B)/gen/nist1036_csv.c: data/frequencies/NIST1036freqs.csv scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh sdb_nist1036_csv $< > $@

$(B)/gen/nist1036_csv.o: $(B)/gen/nist1036_csv.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/test/test_%: test/unit/test_%.c test/unit/unit.h $(B)/libstrdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -DSDB_TEST_DATA='"test/data"' -o $@ $< $(B)/libstrdb.a $(CMOCKA) $(LIBS)

$(B)/test/replay_%: test/fuzz/%.c test/fuzz/replay.c test/fuzz/fuzz_common.h $(B)/libstrdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< test/fuzz/replay.c $(B)/libstrdb.a $(LIBS)

$(B)/examples/embed: examples/embed.c $(B)/libstrdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libstrdb.a $(LIBS)

$(B)/bench/%: bench/%.c bench/bench.h $(B)/libstrdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(B)/libstrdb.a $(LIBS)

# Everything the test runner needs, built in $(B).
test-build: $(B)/strdb $(UNIT_BIN) $(REPLAY_BIN) $(B)/examples/embed

test-run: test-build
	sh test/run_all.sh $(B)

# make check: warnings-clean release build, then the whole suite under ASan+UBSan.
check:
	$(MAKE) --no-print-directory B=build/rel NO_DEPS=1 all
	$(MAKE) --no-print-directory B=build/san SANITIZE=address,undefined NO_DEPS=1 test-run

demo: all
	sh scripts/demo.sh $(B)/strdb

# Recall of lineage and familial search on a simulated population with truth
# (docs/validation.md); VALIDATE_MEN men per generation (default 1,000,000);
# VALIDATE_Y_FOUNDERS=FILE draws the founders' Y haplotypes from a file.
validate: $(B)/bench/validate_relatives
	$(B)/bench/validate_relatives $${VALIDATE_MEN:-1000000} $${VALIDATE_GENERATIONS:-20} 600 \
	    $${VALIDATE_Y_FOUNDERS:-}

bench: $(B)/strdb $(B)/bench/bench_import $(B)/bench/bench_simulate $(B)/bench/bench_search \
       $(B)/bench/bench_relatives $(B)/bench/bench_missing
	sh bench/run.sh $(B)

FUZZ_CC ?= clang
fuzz:
	STRDB_FUZZ_DEPS=1 sh scripts/deps.sh
	$(MAKE) --no-print-directory B=build/fuzzlib CC=$(FUZZ_CC) SANITIZE=address,undefined \
	    EXTRA_CFLAGS=-fsanitize=fuzzer-no-link NO_DEPS=1 build/fuzzlib/libstrdb.a
	@mkdir -p build/fuzz
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	    $(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc -fsanitize=fuzzer,address,undefined \
	    -o build/fuzz/$$n $$f build/fuzzlib/libstrdb.a $(LIBS) || exit 1; done
	@echo "run e.g.: build/fuzz/fuzz_wide -max_total_time=60 test/fuzz/corpus/wide"

# Man pages from --help (scripts/gen_man.sh): strdb(1) and strdb-COMMAND(1).
man: $(B)/strdb scripts/gen_man.sh
	rm -rf $(B)/man && mkdir -p $(B)/man && sh scripts/gen_man.sh $(B)/strdb $(VERSION) $(B)/man

LIBDIR  ?= $(PREFIX)/lib
install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/strdb \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/strdb $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(B)/libstrdb.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/libstrdb.so $(DESTDIR)$(LIBDIR)/libstrdb.so.$(VERSION)
	ln -sf libstrdb.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libstrdb.so
	install -m 644 include/strdb/*.h $(DESTDIR)$(PREFIX)/include/strdb/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@VERSION@|$(VERSION)|' strdb.pc.in \
	    > $(DESTDIR)$(LIBDIR)/pkgconfig/strdb.pc
	install -m 644 $(B)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/strdb $(DESTDIR)$(LIBDIR)/libstrdb.a $(DESTDIR)$(LIBDIR)/libstrdb.so \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libstrdb.so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/strdb.pc $(DESTDIR)$(PREFIX)/share/man/man1/strdb.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man1/strdb-*.1
	rm -rf $(DESTDIR)$(PREFIX)/include/strdb

clean:
	rm -rf build
