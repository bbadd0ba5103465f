package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

var eapolCase = tsharktest.Case{
	Type:   "EAPOL",
	Filter: "eapol",
	Fields: []tsharktest.Field{
		{Ours: "Version", Tshark: "eapol.version"},
		{Ours: "Type", Tshark: "eapol.type"},
		{Ours: "Length", Tshark: "eapol.len"},
	},
}

// TestEAPOLAgainstTshark: WPA2 4-way handshakes on Ethernet (a Wi-Fi
// access point's wired side, EAPOL versions 1 and 2).
func TestEAPOLAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, eapolCase, sharedCaptures(t, "public/ndpi/android.pcap", "public/ndpi/iphone.pcap")...)
}

// TestEAPOLSynthAgainstTshark: EAPOL Start, Logoff and EAP packets, on
// Ethernet (padded to the minimum frame size: the padding is not part of
// the EAPOL body) and in 802.11 data frames (see eapolSyntheticCaptures).
func TestEAPOLSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, eapolCase, eapolSyntheticCaptures(t)...)
}

func FuzzEAPOL(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeEAPOL, eapolPackets()...)
}

// eapolPacket is an EAPOL header (version, type, length of body) and body.
func eapolPacket(version, typ byte, body []byte) []byte {
	return slices.Concat([]byte{version, typ}, be16(uint16(len(body))), body)
}

// eapPacket is an EAP packet: code, identifier, length, and type and type
// data when typ is not 0.
func eapPacket(code, id, typ byte, data []byte) []byte {
	if typ == 0 {
		return slices.Concat([]byte{code, id}, be16(4))
	}
	return slices.Concat([]byte{code, id}, be16(uint16(5+len(data))), []byte{typ}, data)
}

// eapolKeyRC4 is an 802.1X-2004 RC4 key descriptor: key length, replay
// counter, IV, index (top bit unicast), signature, key.
func eapolKeyRC4(keyLen uint16, replay uint64, index byte, key []byte) []byte {
	iv := mustHex("00112233445566778899aabbccddeeff")
	sig := mustHex("0f0e0d0c0b0a09080706050403020100")
	return slices.Concat([]byte{1}, be16(keyLen), be32(uint32(replay>>32)), be32(uint32(replay)), iv, []byte{index}, sig, key)
}

// eapolKeyRSN is an 802.11 (RSN, type 2, or WPA, 254) key descriptor with
// the given key information, replay counter, key data and its length field.
func eapolKeyRSN(descType byte, info uint16, replay uint64, keyData []byte, dataLen uint16) []byte {
	nonce := make([]byte, 32)
	for i := range nonce {
		nonce[i] = byte(i + 1)
	}
	return slices.Concat([]byte{descType}, be16(info), be16(16), be32(uint32(replay>>32)), be32(uint32(replay)), nonce,
		mustHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"), mustHex("0102030405060708"), mustHex("1112131415161718"),
		mustHex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"), be16(dataLen), keyData)
}

// eapolPackets are EAPOL packets the public captures lack.
func eapolPackets() [][]byte {
	return [][]byte{
		eapolPacket(1, 1, nil),                                                                  // Start
		eapolPacket(2, 0, eapPacket(1, 1, 1, nil)),                                              // Request, Identity
		eapolPacket(2, 0, eapPacket(2, 1, 1, []byte("user@example.org"))),                       // Response, Identity
		eapolPacket(2, 0, eapPacket(1, 2, 4, mustHex("10"+"000102030405060708090a0b0c0d0e0f"))), // Request, MD5-Challenge
		eapolPacket(2, 0, eapPacket(1, 3, 13, []byte{0x20})),                                    // Request, EAP-TLS start
		eapolPacket(2, 0, eapPacket(3, 3, 0, nil)),                                              // Success
		eapolPacket(2, 0, eapPacket(4, 4, 0, nil)),                                              // Failure
		eapolPacket(3, 0, eapPacket(2, 5, 254, mustHex("00000000000000010102"))),                // expanded type, 802.1X-2010
		eapolPacket(1, 2, nil),                                                                  // Logoff
		// RC4 key descriptors: a unicast key with its key, a broadcast one
		// without.
		eapolPacket(1, 3, eapolKeyRC4(13, 0x0102030405060708, 0x80|2, mustHex("00112233445566778899aabbcc"))),
		eapolPacket(1, 3, eapolKeyRC4(5, 1, 0x41, nil)),
		// 802.11 key descriptors: group key message 1 (encrypted key data,
		// secure, key index 1), a request with MIC error and SMK bits, a
		// WPA (254) message 3.
		eapolPacket(2, 3, eapolKeyRSN(2, 0x1392|1<<4, 7, mustHex("00112233445566778899aabbccddeeff0011223344556677"), 24)),
		eapolPacket(1, 3, eapolKeyRSN(2, 0x2f09, 8, nil, 0)),
		eapolPacket(1, 3, eapolKeyRSN(254, 0x01c9, 9, mustHex("dd160050f20101000050f20201000050f20201000050f202"), 24)),
	}
}

// eapolSyntheticCaptures writes the EAPOL packets on Ethernet and in
// 802.11 data frames behind radiotap.
func eapolSyntheticCaptures(t *testing.T) []string {
	var eth, wifi [][]byte
	for _, p := range eapolPackets() {
		eth = append(eth, slices.Concat(ethernetII(macB, macA, 0x888e), p, make([]byte, max(0, 46-len(p)))))
		wifi = append(wifi, radiotapData(slices.Concat(snapHeader(0, 0x888e), p)))
	}
	return []string{writePcap(t, layers.LinkTypeEthernet, eth...), writePcap(t, layers.LinkTypeIEEE80211Radio, wifi...)}
}
