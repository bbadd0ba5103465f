# netcap: build, test, demo, bench, proto, fuzz.
# `make demo` and `make test` install what they need on a fresh Debian/Ubuntu
# machine (Go modules always; apt packages when missing, with sudo if not root).

GO        ?= go
BIN       := bin/net
PKGS      := ./...
FUZZTIME  ?= 3s
APT_PKGS  := tshark tcpdump wireshark-common protobuf-compiler jq time libpcap-dev iproute2 iputils-ping dnsutils curl
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps docs test vet staticcheck race demo proto fuzz fuzz-long bench bench-real bench-rss bench-go bench-check bench-baseline clean resolvers-data

all: build

# The commit and build date go into net util -version (GOFLAGS may turn
# off Go's own VCS stamping).
LDFLAGS := -X main.commit=$(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -modified) -X main.buildDate=$(shell date -u +%Y-%m-%dT%H:%M:%SZ)

# docs: a Markdown page per subcommand in docs/, man pages in docs/man,
# shell completions in docs/completions.
docs: build
	$(BIN) gendocs docs

build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/net

# deps installs the reference tools the tests compare with (tshark,
# capinfos, protoc) and the Go modules.
deps:
	@missing=""; \
	for p in tshark:tshark tcpdump:tcpdump zstd:zstd capinfos:wireshark-common protoc:protobuf-compiler jq:jq ip:iproute2 ping:iputils-ping dig:dnsutils curl:curl python3:python3; do \
		command -v $${p%%:*} >/dev/null 2>&1 || missing="$$missing $${p##*:}"; \
	done; \
	[ -e /usr/include/pcap/pcap.h ] || missing="$$missing libpcap-dev"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		echo "wireshark-common wireshark-common/install-setuid boolean false" | $(SUDO) debconf-set-selections 2>/dev/null || true; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	scripts/install-suricata.sh
	$(GO) mod download

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

# test: vet, staticcheck, the race-enabled tests, a cgo-free build and the
# libpcap build (tag pcap).
test: deps vet staticcheck
	CGO_ENABLED=0 $(GO) build $(PKGS)
	$(GO) build -tags pcap $(PKGS)
	$(GO) vet -tags pcap ./source/ ./collector/
	NETCAP_TEST_BUILD_TAGS=pcap $(GO) test -count=1 -run 'TestLiveCapture|TestBPFOnFile|TestFlagStyles' ./cmd/net/
	$(GO) test -race -count=1 $(PKGS)

demo: build
	rm -rf demo_out
	./$(BIN) capture -read testdata/mixed.pcap -out demo_out
	@echo
	@echo "== net dump -read demo_out/TCP.ncap.gz -select Timestamp,SrcIP,SrcPort,DstIP,DstPort,SYN,ACK -utc (first 10)"
	@./$(BIN) dump -read demo_out/TCP.ncap.gz -select Timestamp,SrcIP,SrcPort,DstIP,DstPort,SYN,ACK -utc | head -11
	@echo
	@echo "== net dump -read demo_out/ICMPv4.ncap.gz -json (first 2)"
	@./$(BIN) dump -read demo_out/ICMPv4.ncap.gz -json | head -2
	@echo
	@echo "== net dump -read demo_out/UDP.ncap.gz -header"
	@./$(BIN) dump -read demo_out/UDP.ncap.gz -header
	@echo
	@echo "== net dump -read demo_out/Connection.ncap.gz -select SrcIP,SrcPort,DstIP,DstPort,TransportProto,ApplicationProto,NumPackets,ConnState,CommunityID (first 10)"
	@./$(BIN) dump -read demo_out/Connection.ncap.gz -select SrcIP,SrcPort,DstIP,DstPort,TransportProto,ApplicationProto,NumPackets,ConnState,CommunityID | head -11

# proto regenerates types/netcap.pb.go from types/netcap.proto with the
# protoc-gen-go version pinned in go.mod, then what package types generates
# from it (types/zz_generated.go: wire encoders, per-packet decoders,
# Community ID setters); the same for the encoder generator's test schema.
proto:
	$(GO) build -o bin/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go
	protoc --plugin=protoc-gen-go=bin/protoc-gen-go --go_out=. --go_opt=paths=source_relative types/netcap.proto types/internal/gen/allkinds/allkinds.proto
	$(GO) generate ./types/...

# fuzz runs every fuzz target for FUZZTIME (short, for CI); fuzz-long for
# an hour each.
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

fuzz-long:
	$(MAKE) fuzz FUZZTIME=1h

# bench compares net capture with tshark and tcpdump on the same file;
# bench-go runs the Go benchmarks of each stage.
bench: build
	bench/run.sh

# bench-rss: peak RSS on the benchmark capture at 1x, 2x and 4x its length.
bench-rss: build
	bench/rss.sh

# bench-real runs the benchmark on long, real flows (bench/make-real.sh,
# which needs root, builds the capture when it is missing).
bench-real: build
	[ -f bench/work/real-flows.pcap ] || bench/make-real.sh
	bench/run.sh bench/work/real-flows.pcap

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# bench-check fails when a stage's Go benchmark got slower than
# bench/baseline.txt by more than MARGIN percent (default 30) or allocates
# more; bench-baseline rewrites the baseline.
bench-check:
	bench/check.sh

bench-baseline:
	bench/check.sh -update

clean:
	rm -rf bin demo_out bench/results

# resolvers-data regenerates the MAC vendor and port name tables that
# package resolvers embeds, from Debian's ieee-data (/usr/share/ieee-data)
# and Wireshark's copy of the IANA port registry (libwireshark-data; else
# /etc/services), then tests them. IANA_CSV=path/service-names-port-numbers.csv
# takes the port names from IANA's own CSV instead.
resolvers-data:
	@missing=""; \
	for f in oui.csv mam.csv oui36.csv; do [ -f /usr/share/ieee-data/$$f ] || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
		echo "resolvers-data: /usr/share/ieee-data lacks$$missing: install the ieee-data package first (apt-get install ieee-data)" >&2; \
		exit 1; \
	fi
	$(GO) run ./resolvers/internal/gendata -ieee /usr/share/ieee-data -out resolvers/data $(if $(IANA_CSV),-iana $(IANA_CSV))
	$(GO) test -count=1 ./resolvers/...

# Records unchanged by a change: every capture decoded by REF's net and the
# working tree's, record files compared byte for byte after the header.
same-records:
	scripts/same-records.sh $(or $(REF),HEAD)
