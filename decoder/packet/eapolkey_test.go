package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// eapolKeyRSNCase compares the EAPOL-Key records of 802.11 key descriptors
// (RSN and WPA): every field of the key information, lengths, replay
// counter, nonce, IV, RSC, ID and MIC (tshark has RSC and ID as bytes, the
// record as numbers). The record's EncryptedKeyData is the key data when
// the Encrypted Key Data bit is set (tshark shows the key data always):
// eapolKeyRSNEncrypted compares it.
var eapolKeyRSNCase = tsharktest.Case{
	Type:   "EAPOLKey",
	Filter: "eapol.type == 3 && eapol.keydes.type != 1",
	Keep:   func(m proto.Message) bool { return m.(*types.EAPOLKey).KeyDescriptorType != 1 },
	Fields: []tsharktest.Field{
		{Ours: "KeyDescriptorType", Tshark: "eapol.keydes.type"},
		{Ours: "KeyDescriptorVersion", Tshark: "wlan_rsna_eapol.keydes.key_info.keydes_version"},
		{Ours: "KeyType", Tshark: "wlan_rsna_eapol.keydes.key_info.key_type"},
		{Ours: "KeyIndex", Tshark: "wlan_rsna_eapol.keydes.key_info.key_index"},
		{Ours: "Install", Tshark: "wlan_rsna_eapol.keydes.key_info.install"},
		{Ours: "KeyACK", Tshark: "wlan_rsna_eapol.keydes.key_info.key_ack"},
		{Ours: "KeyMIC", Tshark: "wlan_rsna_eapol.keydes.key_info.key_mic"},
		{Ours: "Secure", Tshark: "wlan_rsna_eapol.keydes.key_info.secure"},
		{Ours: "MICError", Tshark: "wlan_rsna_eapol.keydes.key_info.error"},
		{Ours: "Request", Tshark: "wlan_rsna_eapol.keydes.key_info.request"},
		{Ours: "HasEncryptedKeyData", Tshark: "wlan_rsna_eapol.keydes.key_info.encrypted_key_data"},
		{Ours: "SMKMessage", Tshark: "wlan_rsna_eapol.keydes.key_info.smk_message"},
		{Ours: "KeyLength", Tshark: "eapol.keydes.key_len"},
		{Ours: "ReplayCounter", Tshark: "eapol.keydes.replay_counter"},
		{Ours: "Nonce", Tshark: "wlan_rsna_eapol.keydes.nonce"},
		{Ours: "IV", Tshark: "eapol.keydes.key_iv"},
		{Ours: "RSC", Tshark: "wlan_rsna_eapol.keydes.rsc", Conv: hexBytesNumber},
		{Ours: "ID", Tshark: "wlan_rsna_eapol.keydes.id", Conv: hexBytesNumber},
		{Ours: "MIC", Tshark: "wlan_rsna_eapol.keydes.mic"},
		{Ours: "KeyDataLength", Tshark: "wlan_rsna_eapol.keydes.data_len"},
	},
}

// eapolKeyRSNEncrypted compares the key data of the descriptors whose
// Encrypted Key Data bit is set.
var eapolKeyRSNEncrypted = tsharktest.Case{
	Type:   "EAPOLKey",
	Filter: "eapol.type == 3 && eapol.keydes.type != 1 && wlan_rsna_eapol.keydes.key_info.encrypted_key_data == 1",
	Keep: func(m proto.Message) bool {
		r := m.(*types.EAPOLKey)
		return r.HasEncryptedKeyData && r.KeyDescriptorType != 1
	},
	Fields: []tsharktest.Field{
		{Ours: "ReplayCounter", Tshark: "eapol.keydes.replay_counter"},
		{Ours: "EncryptedKeyData", Tshark: "wlan_rsna_eapol.keydes.data"},
	},
}

// eapolKeyRC4Case compares the records of 802.1X RC4 key descriptors:
// KeyType is the key index's unicast bit, KeyIndex its number, MIC the key
// signature, EncryptedKeyData the key and KeyDataLength its length.
var eapolKeyRC4Case = tsharktest.Case{
	Type:   "EAPOLKey",
	Filter: "eapol.keydes.type == 1",
	Keep:   func(m proto.Message) bool { return m.(*types.EAPOLKey).KeyDescriptorType == 1 },
	Fields: []tsharktest.Field{
		{Ours: "KeyDescriptorType", Tshark: "eapol.keydes.type"},
		{Ours: "KeyLength", Tshark: "eapol.keydes.key_len"},
		{Ours: "ReplayCounter", Tshark: "eapol.keydes.replay_counter"},
		{Ours: "IV", Tshark: "eapol.keydes.key_iv"},
		{Ours: "KeyType", Tshark: "eapol.keydes.key_index.type"},
		{Ours: "KeyIndex", Tshark: "eapol.keydes.key_index.number"},
		{Ours: "MIC", Tshark: "eapol.keydes.key_signature"},
		{Ours: "EncryptedKeyData", Tshark: "eapol.keydes.key"},
		{Ours: "KeyDataLength", Tshark: "eapol.keydes.key", Conv: hexByteCount},
	},
}

// TestEAPOLKeyAgainstTshark: WPA2 4-way handshakes (messages 1 to 4, with
// and without key data, encrypted in message 3).
func TestEAPOLKeyAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, "public/ndpi/android.pcap", "public/ndpi/iphone.pcap")
	compare(t, eapolKeyRSNCase, pcaps...)
	compare(t, eapolKeyRSNEncrypted, pcaps...)
}

// TestEAPOLKeySynthAgainstTshark: RC4 descriptors, a group key message with
// key index 1, a request with the MIC error and SMK bits, a WPA (254)
// descriptor, on Ethernet and in 802.11 data frames.
func TestEAPOLKeySynthAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := eapolSyntheticCaptures(t)
	compare(t, eapolKeyRSNCase, pcaps...)
	compare(t, eapolKeyRSNEncrypted, pcaps...)
	compare(t, eapolKeyRC4Case, pcaps...)
}

func FuzzEAPOLKey(f *testing.F) {
	var seeds [][]byte
	for _, p := range eapolPackets() {
		if p[1] == 3 {
			seeds = append(seeds, p[4:])
		}
	}
	fuzzLayer(f, layers.LayerTypeEAPOLKey, seeds...)
}
