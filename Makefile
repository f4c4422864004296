# Strata: `make run` starts the explorer, `make test` runs every test. Both install what is
# missing first (Debian packages listed in tools/debian-packages.txt) and build incrementally.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build run test test-asan fuzz bench format clean

all: build

deps:
	@tools/install-deps.sh tools/debian-packages.txt

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)
	cmake --build $(BUILD) -j$(JOBS)

run: build
	tools/run.sh $(BUILD)

# Every test, against SQLite and a throwaway PostgreSQL cluster on 127.0.0.1.
test: build
	tests/support/with-postgres.sh ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer, then the fuzzers.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/support/lsan.supp \
	    tests/support/with-postgres.sh ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)
	$(MAKE) fuzz

# The libFuzzer harnesses (tests/fuzz), FUZZ_SECONDS each, JOBS at a time: a clang build of
# just the sources they need, apart from the GCC build of the product.
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DSTRATA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	tests/fuzz/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS)

bench: build
	tests/support/with-postgres.sh $(BUILD)/tests/bench/strata-bench all

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
