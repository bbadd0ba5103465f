package packet_test

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// bfdCase compares every field of the BFD record with tshark's dissection
// of BFD control packets. The discriminators and intervals are 32-bit
// values held in int32 fields (Netcap's schema): tshark's values are
// wrapped the same way. AuthHeader is compared when tshark shows an
// authentication section: its type, key ID, sequence number (0 for simple
// passwords, which have none) and data, the password's bytes or the
// digest (bfd.checksum).
var bfdCase = tsharktest.Case{
	Type:   "BFD",
	Filter: "bfd",
	Columns: []string{"Version", "Diagnostic", "State", "Poll", "Final", "ControlPlaneIndependent", "AuthPresent", "Demand",
		"Multipoint", "DetectMultiplier", "MyDiscriminator", "YourDiscriminator", "DesiredMinTxInterval",
		"RequiredMinRxInterval", "RequiredMinEchoRxInterval", "AuthHeader"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.BFD)
		auth := "none"
		if a := r.AuthHeader; a != nil {
			auth = joinList([]string{decimal(a.AuthType), decimal(a.KeyID), decimal(a.SequenceNumber), hex.EncodeToString(a.Data)})
		}
		return []string{decimal(r.Version), decimal(r.Diagnostic), decimal(r.State), boolDigit(r.Poll), boolDigit(r.Final),
			boolDigit(r.ControlPlaneIndependent), boolDigit(r.AuthPresent), boolDigit(r.Demand), boolDigit(r.Multipoint),
			decimal(r.DetectMultiplier), decimal(r.MyDiscriminator), decimal(r.YourDiscriminator), decimal(r.DesiredMinTxInterval),
			decimal(r.RequiredMinRxInterval), decimal(r.RequiredMinEchoRxInterval), auth}
	},
	PacketRows: func(p tsharktest.Packet) [][]string {
		var rows [][]string
		for _, b := range p.Protocols("bfd") {
			auth := "none"
			if b.Field("bfd.auth.type") != nil {
				data := []byte(b.Val("bfd.auth.password"))
				if b.Field("bfd.checksum") != nil {
					data = b.FieldBytes("bfd.checksum")
				}
				seq := b.Val("bfd.auth.seq_num")
				if seq == "" {
					seq = "0"
				}
				auth = joinList([]string{b.Val("bfd.auth.type"), b.Val("bfd.auth.key"), wrapInt32(seq), hex.EncodeToString(data)})
			}
			rows = append(rows, []string{b.Val("bfd.version"), b.Val("bfd.diag"), b.Val("bfd.sta"),
				b.Val("bfd.flags.p"), b.Val("bfd.flags.f"), b.Val("bfd.flags.c"), b.Val("bfd.flags.a"),
				b.Val("bfd.flags.d"), b.Val("bfd.flags.m"), b.Val("bfd.detect_time_multiplier"),
				wrapInt32(b.Val("bfd.my_discriminator")), wrapInt32(b.Val("bfd.your_discriminator")),
				wrapInt32(b.Val("bfd.desired_min_tx_interval")), wrapInt32(b.Val("bfd.required_min_rx_interval")),
				wrapInt32(b.Val("bfd.required_min_echo_interval")), auth})
		}
		return rows
	},
}

// BFD flag bits in the second byte (RFC 5880 4.1), below the state.
const (
	bfdP = 0x20
	bfdF = 0x10
	bfdC = 0x08
	bfdA = 0x04
	bfdD = 0x02
	bfdM = 0x01
)

// bfdControl is a BFD control packet (version 1) with an authentication
// section auth (none when empty).
func bfdControl(diag, state, flags, mult byte, my, your, tx, rx, echo uint32, auth []byte) []byte {
	b := []byte{1<<5 | diag, state<<6 | flags, mult, byte(24 + len(auth))}
	for _, v := range []uint32{my, your, tx, rx, echo} {
		b = append(b, be32(v)...)
	}
	return append(b, auth...)
}

// bfdAuth is an authentication section: type, length, key ID, then (keyed
// types) a reserved byte and the sequence number, then data.
func bfdAuth(typ, key byte, seq uint32, data []byte) []byte {
	a := []byte{typ, 0, key}
	if typ != 1 {
		a = append(append(a, 0), be32(seq)...)
	}
	a = append(a, data...)
	a[1] = byte(len(a))
	return a
}

// bfdSamples are BFD control packets with every state, flag and
// authentication type (RFC 5880 4.2-4.4), discriminators and intervals of
// 2^31 and more, and an authentication section shorter than what follows
// the header (its Auth Len bounds the data).
func bfdSamples() [][]byte {
	md5 := slices.Repeat([]byte{0xa5}, 16)
	sha1 := slices.Repeat([]byte{0x5a}, 20)
	short := append(bfdAuth(1, 9, 0, []byte("pw")), 0xee, 0xee) // Auth Len 5 of 7 bytes
	return [][]byte{
		bfdControl(0, 1, 0, 3, 0x11111111, 0, 1000000, 1000000, 0, nil),
		bfdControl(1, 3, bfdP|bfdC, 5, 0x80000001, 0xfffffffe, 300000, 300000, 50000, nil),
		bfdControl(3, 2, bfdF|bfdD|bfdM, 255, 1, 2, 0xffffffff, 0x80000000, 0xffffffff, nil),
		bfdControl(7, 0, bfdA, 3, 10, 20, 1000000, 1000000, 0, bfdAuth(1, 1, 0, []byte("secret"))),
		bfdControl(0, 3, bfdA, 3, 10, 20, 1000000, 1000000, 0, bfdAuth(2, 2, 0x01020304, md5)),
		bfdControl(0, 3, bfdA|bfdP, 3, 10, 20, 1000000, 1000000, 0, bfdAuth(3, 3, 0xfffffff0, md5)),
		bfdControl(0, 3, bfdA, 3, 10, 20, 1000000, 1000000, 0, bfdAuth(4, 4, 7, sha1)),
		bfdControl(8, 3, bfdA|bfdF, 3, 10, 20, 1000000, 1000000, 0, bfdAuth(5, 255, 0x80000000, sha1)),
		bfdControl(0, 3, bfdA, 3, 10, 20, 1, 1, 0, short),
	}
}

// TestBFDSynthAgainstTshark compares bfdSamples: the public captures have
// no BFD. They go over UDP port 3784 (single hop) in IPv4 and IPv6 and
// port 4784 (multihop).
func TestBFDSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for i, b := range bfdSamples() {
		switch i % 3 {
		case 0:
			frames = append(frames, udpOverIPv4(t, 49152+i, 3784, b))
		case 1:
			frames = append(frames, udpOverIPv6(t, 49152+i, 3784, b))
		default:
			frames = append(frames, udpOverIPv4(t, 49152+i, 4784, b))
		}
	}
	compare(t, bfdCase, writePcap(t, layers.LinkTypeEthernet, frames...))
}

func FuzzBFD(f *testing.F) { fuzzLayer(f, layers.LayerTypeBFD, bfdSamples()...) }
