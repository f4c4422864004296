# Strata: `make run` starts the explorer, `make test` runs every test. Both install what is
# missing first (Debian packages listed in tools/debian-packages.txt) and build incrementally.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build run test test-asan bench format clean

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

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/support/lsan.supp \
	    tests/support/with-postgres.sh ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)

bench: build
	tests/support/with-postgres.sh $(BUILD)/tests/bench/strata-bench all

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
